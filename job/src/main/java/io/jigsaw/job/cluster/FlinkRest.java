package io.jigsaw.job.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The parts of Flink's REST API (the one behind the dashboard) that Jigsaw uses: submit the job jar,
 * follow and cancel a job, read where its operators run. Works against any session cluster,
 * MiniCluster or multi-process.
 */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public String url() {
        return base;
    }

    /** Whether the REST endpoint answers. */
    public boolean up() {
        try {
            return send(HttpRequest.newBuilder(uri("/overview")).GET()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** POST /jars/upload: the jar's id on the cluster. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "jigsaw-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = json(HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), "uploading " + jar);
        String file = answer.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** POST /jars/:id/run: the cluster runs the jar's entry class with these arguments; the job's id. */
    public String runJar(String jarId, String entryClass, List<String> args) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("entryClass", entryClass);
        request.put("programArgsList", args);
        JsonNode answer = json(HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))), "running jar " + jarId);
        return answer.path("jobid").asText();
    }

    /** Waits until every subtask of the job is RUNNING (a RUNNING job may still be deploying its tasks). */
    public void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < until) {
            JsonNode job = json(HttpRequest.newBuilder(uri("/jobs/" + jobId)).GET(), "job " + jobId);
            state = job.path("state").asText();
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                throw new IllegalStateException("the Flink job " + jobId + " ended before serving: " + state
                        + " (its exception: " + base + "/#/job/running/" + jobId + "/exceptions)");
            }
            if ("RUNNING".equals(state) && allRunning(job)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the Flink job " + jobId + " was not running within " + timeout.toSeconds()
                + " s (last state " + state + ")");
    }

    private static boolean allRunning(JsonNode job) {
        for (JsonNode v : job.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** PATCH /jobs/:id?mode=cancel. */
    public void cancel(String jobId) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() / 100 != 2) {
            throw new IOException("cancelling job " + jobId + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /**
     * The job's restarts (numRestarts, the figure the dashboard shows), or -1 if the metric is not there
     * within a few seconds: the REST endpoint fetches metrics on demand, the first answers can be empty.
     */
    public long restarts(String jobId) throws IOException, InterruptedException {
        long until = System.currentTimeMillis() + 8_000;
        while (System.currentTimeMillis() < until) {
            JsonNode metrics = json(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/metrics?get=numRestarts")).GET(), "metrics");
            if (metrics.isArray() && !metrics.isEmpty()) {
                return metrics.get(0).path("value").asLong();
            }
            Thread.sleep(500);
        }
        return -1;
    }

    /** One line per job the cluster knows: id, state, name. */
    public List<String> jobs() throws IOException {
        List<String> out = new ArrayList<>();
        json(HttpRequest.newBuilder(uri("/jobs/overview")).GET(), "jobs").path("jobs").forEach(j -> out.add(
                j.path("jid").asText() + "  " + j.path("state").asText() + "  " + j.path("name").asText()));
        return out;
    }

    /** The registered TaskManagers' ids (their resource ids). */
    public List<String> taskManagers() throws IOException {
        List<String> ids = new ArrayList<>();
        json(HttpRequest.newBuilder(uri("/taskmanagers")).GET(), "taskmanagers").path("taskmanagers")
                .forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** Operator (vertex) name → the ids of the TaskManagers its subtasks run on, from the REST API. */
    public Map<String, List<String>> placement(String jobId) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JsonNode v : json(HttpRequest.newBuilder(uri("/jobs/" + jobId)).GET(), "job " + jobId).path("vertices")) {
            List<String> tms = new ArrayList<>();
            json(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers")).GET(),
                    "vertex " + v.path("name").asText()).path("taskmanagers")
                    .forEach(tm -> tms.add(tm.path("taskmanager-id").asText()));
            out.put(v.path("name").asText(), tms);
        }
        return out;
    }

    private JsonNode json(HttpRequest.Builder request, String what) throws IOException {
        HttpResponse<String> r = send(request);
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + ": HTTP " + r.statusCode() + " from " + base + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to " + base, e);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }
}
