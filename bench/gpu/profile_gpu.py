#!/usr/bin/env python3
"""GPU partition profiles for Jigsaw's planner: batch latency per model x batch size x GPU share.

Writes our profile CSV (variant,device,share,batch,p50_ms,p99_ms,source) with source=measured, and a
JSON file beside it that says how the shares were made, which models ran and what was skipped.

How a share is made (the first that works):
  1. MPS: the CUDA MPS control daemon (nvidia-cuda-mps-control) runs, and each share is measured by a
     client process started with CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=<share>: the fraction of the GPU's
     SMs that process may use, which is what a Jigsaw TaskManager on an MPS partition gets.
  2. No MPS daemon: only whole-GPU rows go into the profile; k = 1..10 co-located processes running
     the same model and batch are measured instead and written to colocated-<device>.csv, labelled
     as co-location (time-slicing, not a partition): the planner does not read them.
The whole-GPU rows (share 100) are always measured before MPS starts, without it.

Latency does not depend on the weights for the classifiers (random weights, torchvision's
architectures); for the detectors the post-processing (score filter, NMS) does, and random weights
give few boxes above the default threshold, so their rows are a lower bound for a trained detector.
Inputs are generated on the device: the rows are the model's compute, not the host-to-device copy.

Each share runs in its own process (an MPS client's share is fixed when it connects). A global
--budget-s ends the run early with what was measured (the skipped cells are listed), so the run
fits one device call; progress goes to stderr.

Dry run without a GPU (what the project's test runs):
  python3 bench/gpu/profile_gpu.py --device cpu --models tiny --batches 1 --out /tmp/p.csv
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# name -> (kind, torchvision constructor, input side): the kinds of models Jigsaw's graphs use.
MODELS = {
    "tiny": ("classifier", None, 32),
    "mobilenet_v3_small": ("classifier", "mobilenet_v3_small", 224),
    "resnet18": ("classifier", "resnet18", 224),
    "efficientnet_b0": ("classifier", "efficientnet_b0", 224),
    "resnet50": ("classifier", "resnet50", 224),
    "ssdlite320_mobilenet_v3_large": ("detector", "detection.ssdlite320_mobilenet_v3_large", 320),
    "fasterrcnn_mobilenet_v3_large_320_fpn": ("detector", "detection.fasterrcnn_mobilenet_v3_large_320_fpn", 320),
    "retinanet_resnet50_fpn": ("detector", "detection.retinanet_resnet50_fpn", 512),
}
DEFAULT_MODELS = ["mobilenet_v3_small", "resnet18", "resnet50", "ssdlite320_mobilenet_v3_large",
                  "fasterrcnn_mobilenet_v3_large_320_fpn"]
HEADER = "variant,device,share,batch,p50_ms,p99_ms,source"


def log(msg):
    print("[profile-gpu] " + msg, file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="where to run (default: cuda)")
    p.add_argument("--device-name", help="device column of the CSV (default: h200 on cuda, cpu on cpu)")
    p.add_argument("--models", default=",".join(DEFAULT_MODELS),
                   help="comma-separated, from: " + ", ".join(MODELS) + " (default: %(default)s)")
    p.add_argument("--batches", default="1,2,4,8,16,32,64", help="batch sizes (default: %(default)s)")
    p.add_argument("--shares", default="10,20,30,40,50,60,70,80,90,100",
                   help="MPS shares in percent; 100 = the whole GPU without MPS (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs per cell (default: %(default)s)")
    p.add_argument("--runs", type=int, default=20, help="timed runs per cell at most (default: %(default)s)")
    p.add_argument("--cell-s", type=float, default=0.6,
                   help="time per cell after which timing stops once 5 runs are in (default: %(default)s)")
    p.add_argument("--budget-s", type=float, default=420, help="whole run; what is left is skipped (default: %(default)s)")
    p.add_argument("--colocated", default="1,2,4,6,8,10", help="process counts when there is no MPS (default: %(default)s)")
    p.add_argument("--out", required=True, help="profile CSV to write")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--share", type=int, default=100, help=argparse.SUPPRESS)
    p.add_argument("--deadline", type=float, default=0, help=argparse.SUPPRESS)
    p.add_argument("--start-at", type=float, default=0, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.models = [m.strip() for m in a.models.split(",") if m.strip()]
    unknown = [m for m in a.models if m not in MODELS]
    if unknown:
        p.error("unknown model(s) %s; known: %s" % (", ".join(unknown), ", ".join(MODELS)))
    a.batches = [int(b) for b in a.batches.split(",")]
    a.shares = [int(s) for s in a.shares.split(",")]
    if any(b < 1 for b in a.batches) or any(not 0 < s <= 100 for s in a.shares):
        p.error("batches must be >= 1 and shares in (0, 100]")
    a.colocated = [int(k) for k in a.colocated.split(",")]
    a.device_name = a.device_name or ("h200" if a.device == "cuda" else "cpu")
    return a


# ---------------------------------------------------------------- worker: one process, one share

def build(name, device):
    import torch
    kind, ctor, side = MODELS[name]
    if ctor is None:  # the dry run's model: two convolutions and a linear layer, no torchvision needed
        model = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(), torch.nn.Linear(16, 10))
    else:
        import torchvision
        module = torchvision.models
        for part in ctor.split("."):
            module = getattr(module, part)
        model = module(weights=None, weights_backbone=None) if kind == "detector" else module(weights=None)
    return kind, side, model.eval().to(device)


def time_cell(torch, model, kind, side, batch, a, sync):
    x = torch.rand(batch, 3, side, side, device=a.device)
    inputs = list(x) if kind == "detector" else x  # torchvision detectors take a list of images

    def once():
        t0 = time.perf_counter()
        model(inputs)
        sync()
        return (time.perf_counter() - t0) * 1000.0

    for _ in range(a.warmup):
        once()
    samples = []
    start = time.perf_counter()
    while len(samples) < a.runs and (len(samples) < 5 or time.perf_counter() - start < a.cell_s):
        samples.append(once())
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(round(0.99 * (len(samples) - 1))))]
    return statistics.median(samples), p99, len(samples)


def worker(a):
    import torch
    torch.backends.cudnn.benchmark = False  # cuDNN autotuning per new shape would land in the timed runs
    if a.device == "cuda":
        torch.cuda.init()
        sync = torch.cuda.synchronize
    else:
        sync = lambda: None
    if a.start_at:  # co-located processes start their timed loops together
        time.sleep(max(0.0, a.start_at - time.time()))
    with torch.inference_mode():
        for name in a.models:
            try:
                kind, side, model = build(name, a.device)
            except Exception as e:  # a model this torchvision lacks: say so, measure the others
                print(json.dumps({"skipped": name, "why": "could not build: %s" % e}), flush=True)
                continue
            for b in a.batches:
                if a.deadline and time.time() > a.deadline:
                    print(json.dumps({"skipped": name, "batch": b, "share": a.share, "why": "budget"}), flush=True)
                    continue
                try:
                    p50, p99, n = time_cell(torch, model, kind, side, b, a, sync)
                except RuntimeError as e:  # out of memory at a large batch: the larger ones will not fit either
                    print(json.dumps({"skipped": name, "batch": b, "share": a.share, "why": str(e).splitlines()[0]}), flush=True)
                    if a.device == "cuda":
                        torch.cuda.empty_cache()
                    break
                print(json.dumps({"variant": name, "share": a.share, "batch": b, "p50_ms": p50, "p99_ms": p99, "runs": n}),
                      flush=True)
            del model
            if a.device == "cuda":
                torch.cuda.empty_cache()


# ---------------------------------------------------------------- orchestrator

def run_worker(a, share, env_extra, deadline, extra_args=()):
    """One worker process for one share; its rows, read from a file (never a pipe we could block on)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--device", a.device, "--models", ",".join(a.models),
           "--batches", ",".join(map(str, a.batches)), "--warmup", str(a.warmup), "--runs", str(a.runs),
           "--cell-s", str(a.cell_s), "--share", str(share), "--deadline", str(deadline), "--out", "-"] + list(extra_args)
    env = dict(os.environ, **env_extra)
    with tempfile.TemporaryFile("w+") as out:
        try:
            proc = subprocess.run(cmd, stdout=out, stderr=None, env=env, timeout=max(5.0, deadline - time.time() + 60))
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        out.seek(0)
        lines = [json.loads(l) for l in out if l.strip().startswith("{")]
    if code != 0:
        log("worker for share %d%% ended with %s" % (share, code))
    return lines


def start_mps(tmp):
    control = shutil.which("nvidia-cuda-mps-control")
    if control is None:
        return None, "no nvidia-cuda-mps-control on PATH"
    env = {"CUDA_MPS_PIPE_DIRECTORY": os.path.join(tmp, "mps-pipe"), "CUDA_MPS_LOG_DIRECTORY": os.path.join(tmp, "mps-log")}
    for d in env.values():
        os.makedirs(d, exist_ok=True)
    try:
        r = subprocess.run([control, "-d"], env=dict(os.environ, **env), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "nvidia-cuda-mps-control -d failed: %s" % e
    if r.returncode != 0:
        return None, "nvidia-cuda-mps-control -d exited %d: %s" % (r.returncode, (r.stderr or r.stdout).strip())
    return env, None


def mps_servers(env):
    try:
        r = subprocess.run(["nvidia-cuda-mps-control"], input="get_server_list\n", env=dict(os.environ, **env),
                           capture_output=True, text=True, timeout=10)
        return r.stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return []


def stop_mps(env):
    try:
        subprocess.run(["nvidia-cuda-mps-control"], input="quit\n", env=dict(os.environ, **env), capture_output=True,
                       text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        log("stopping the MPS daemon: %s" % e)


def colocated(a, deadline):
    """k processes running the same model and batch at once, per k: time-slicing, not partitions."""
    rows = []
    for k in a.colocated:
        for name in a.models:
            for b in a.batches:
                if time.time() > deadline:
                    return rows
                start_at = time.time() + 20  # every process loaded and warm before the timed loops start
                procs = []
                outs = []
                for _ in range(k):
                    out = tempfile.TemporaryFile("w+")
                    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--device", a.device, "--models", name,
                           "--batches", str(b), "--warmup", str(a.warmup), "--runs", str(a.runs), "--cell-s", str(a.cell_s),
                           "--start-at", str(start_at), "--deadline", str(deadline), "--out", "-"]
                    procs.append(subprocess.Popen(cmd, stdout=out))
                    outs.append(out)
                samples = []
                for proc, out in zip(procs, outs):
                    try:
                        proc.wait(timeout=max(5.0, deadline - time.time() + 60))
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(timeout=30)
                    out.seek(0)
                    samples += [json.loads(l) for l in out if l.strip().startswith("{") and "variant" in l]
                    out.close()
                if samples:
                    rows.append({"variant": name, "processes": k, "batch": b,
                                 "p50_ms": statistics.median(s["p50_ms"] for s in samples),
                                 "p99_ms": max(s["p99_ms"] for s in samples)})
                    log("co-located k=%d %s b%d: p50 %.2f ms" % (k, name, b, rows[-1]["p50_ms"]))
    return rows


def main(argv):
    a = parse_args(argv)
    if a.worker:
        worker(a)
        return 0
    t0 = time.time()
    deadline = t0 + a.budget_s
    meta = {"device": a.device_name, "models": {m: {"kind": MODELS[m][0], "torchvision": MODELS[m][1] or "(built in)",
                                                    "input": [3, MODELS[m][2], MODELS[m][2]]} for m in a.models},
            "batches": a.batches, "runs_per_cell": a.runs, "skipped": []}
    try:
        import torch
        meta["torch"] = torch.__version__
        if a.device == "cuda":
            if not torch.cuda.is_available():
                log("no CUDA device visible to torch; run with --device cpu for a dry run")
                return 2
            meta["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        log("python3 has no torch")
        return 2

    rows = []

    def take(lines, share):
        for l in lines:
            if "variant" in l:
                rows.append((l["variant"], share, l["batch"], l["p50_ms"], l["p99_ms"]))
            else:
                meta["skipped"].append(l)
        log("share %3d%%: %d rows so far, %.0f s of %.0f s" % (share, len(rows), time.time() - t0, a.budget_s))

    # The whole GPU first, before any MPS daemon exists.
    if 100 in a.shares or a.device == "cpu":
        take(run_worker(a, 100, {}, deadline), 100)
    partial = [s for s in a.shares if s < 100]
    if a.device == "cpu":
        meta["method"] = "cpu dry run: whole machine only"
    elif partial:
        with tempfile.TemporaryDirectory() as tmp:
            env, why = start_mps(tmp)
            if env is not None:
                meta["method"] = "mps: CUDA_MPS_ACTIVE_THREAD_PERCENTAGE per client process"
                try:
                    for share in partial:
                        if time.time() > deadline:
                            meta["skipped"].append({"share": share, "why": "budget"})
                            continue
                        take(run_worker(a, share, dict(env, CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=str(share)), deadline), share)
                        meta.setdefault("mps_servers_seen", mps_servers(env))
                finally:
                    stop_mps(env)
            else:
                meta["method"] = "no MPS (%s): whole-GPU rows only; co-located processes in colocated-%s.csv" % (why, a.device_name)
                log(meta["method"])
                co = colocated(a, deadline)
                path = os.path.join(os.path.dirname(os.path.abspath(a.out)), "colocated-%s.csv" % a.device_name)
                with open(path, "w") as f:
                    f.write("variant,device,processes,batch,p50_ms,p99_ms,source\n")
                    for r in co:
                        f.write("%s,%s,%d,%d,%.4f,%.4f,measured-colocated\n" % (r["variant"], a.device_name, r["processes"],
                                                                               r["batch"], r["p50_ms"], r["p99_ms"]))
                meta["colocated_csv"] = path
    with open(a.out, "w") as f:
        f.write(HEADER + "\n")
        for variant, share, batch, p50, p99 in sorted(rows):
            f.write("%s,%s,%d,%d,%.4f,%.4f,measured\n" % (variant, a.device_name, share, batch, p50, max(p50, p99)))
    meta["rows"] = len(rows)
    meta["seconds"] = round(time.time() - t0, 1)
    with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
        json.dump(meta, f, indent=2)
    log("wrote %d measured rows to %s in %.0f s (%s; %d cells skipped)" % (len(rows), a.out, time.time() - t0,
                                                                         meta.get("method", "whole GPU only"),
                                                                         len(meta["skipped"])))
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
