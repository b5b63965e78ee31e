#!/usr/bin/python3
"""The Python client against the wire format's test vectors, and (with JIGSAW_BOOTSTRAP set) against a
running job: its answers for the demo's pictures equal what `bin/jigsaw results --json` reads.

  python3 -m unittest clients/python/test_client.py                       # the vectors
  JIGSAW_BOOTSTRAP=127.0.0.1:PORT python3 -m unittest clients/python/test_client.py   # and the live job
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jigsaw_client  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
VECTORS = os.path.join(jigsaw_client.STORE, "test-vectors.json")


class TestVectors(unittest.TestCase):

    def test_every_vector_decodes_and_encodes_to_its_bytes(self):
        with open(VECTORS) as f:
            vectors = json.load(f)["vectors"]
        self.assertGreaterEqual(len(vectors), 6)
        for v in vectors:
            with self.subTest(v["what"]):
                codec = jigsaw_client.Codec(v["record"])
                writer = codec.versions[int(v["schema_file"].rsplit("/v", 1)[1].split(".")[0]) - 1]
                self.assertEqual(jigsaw_client.canonical_form(writer), v["canonical_form"])
                self.assertEqual(jigsaw_client.fingerprint(writer).hex(), v["fingerprint_hex_le"])
                value = bytes.fromhex(v["bytes_hex"])
                decoded = codec.decode(value)
                for field, expected in v["json"].items():
                    got = decoded[field]
                    if isinstance(expected, (str, int, float, bool)) and not isinstance(got, bytes):
                        self.assertEqual(got, expected, field)
                self.assertEqual(codec.encode(decoded).hex(), v["bytes_hex"])


@unittest.skipUnless(os.environ.get("JIGSAW_BOOTSTRAP"), "no running job (set JIGSAW_BOOTSTRAP)")
class TestLiveJob(unittest.TestCase):

    def test_answers_for_the_demos_pictures_equal_bin_jigsaw_results(self):
        bootstrap = os.environ["JIGSAW_BOOTSTRAP"]
        pictures = os.path.join(ROOT, "examples", "xr-scene", "pictures")
        files = sorted(os.path.join(pictures, f) for f in os.listdir(pictures))
        sent = jigsaw_client.send(bootstrap, "xr-scene", files, deadline_slack_ms=60_000)
        ids = [rid for _, rid in sent]
        mine = jigsaw_client.read(bootstrap, "results", "Result", idle_s=90, wanted=set(ids))
        self.assertEqual(sorted(mine), sorted(ids))
        for rid in ids:
            theirs = subprocess.run([os.path.join(ROOT, "bin", "jigsaw"), "results", "--bootstrap", bootstrap, "--from-beginning",
                                     "--request-id", rid, "--json", "--idle", "60"], capture_output=True, text=True, timeout=300)
            self.assertEqual(theirs.returncode, 0, theirs.stderr)
            java = json.loads(theirs.stdout)
            py = mine[rid]
            self.assertFalse(py["dropped"], py["drop_reason"])
            self.assertEqual(py["request_id"], java["request_id"])
            self.assertEqual(len(py["objects"]), len(java["objects"]))
            for p, j in zip(py["objects"], java["objects"]):
                self.assertEqual(p["id"], j["id"])
                for a, b in zip(p["box"], j["box"]):
                    self.assertAlmostEqual(a, b, places=5)
                for out in p["outputs"]:
                    self.assertEqual([l["label"] for l in out["labels"]],
                                     [l["label"] for l in j["outputs"][out["task"]].get("labels", [])], out["task"])
                    for name, values in out["tensors"].items():
                        for a, b in zip(values, j["outputs"][out["task"]]["tensors"][name]):
                            self.assertAlmostEqual(a, b, places=4)
            for out in py["outputs"]:
                self.assertEqual([l["label"] for l in out["labels"]], [l["label"] for l in java["outputs"][out["task"]].get("labels", [])])


if __name__ == "__main__":
    unittest.main()
