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
    private final HttpClient http;

    public FlinkRest(String baseUrl) {
        this(baseUrl, null);
    }

    /** @param tls what the client presents and trusts on an https URL (a cluster with mutual TLS: {@link RestTls}); null: the JDK's default */
    public FlinkRest(String baseUrl, javax.net.ssl.SSLContext tls) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
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
            JsonNode job = job(jobId);
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

    /**
     * POST /jars/:id/run from a savepoint: the job resumes from {@code savepointPath} (its source offsets,
     * broadcast plan and every operator's state), refusing a savepoint it cannot map entirely onto the job.
     */
    public String runJarFromSavepoint(String jarId, String entryClass, List<String> args, String savepointPath) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("entryClass", entryClass);
        request.put("programArgsList", args);
        request.put("savepointPath", savepointPath);
        request.put("allowNonRestoredState", false);
        JsonNode answer = json(HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))), "running jar " + jarId + " from " + savepointPath);
        return answer.path("jobid").asText();
    }

    /**
     * POST /jobs/:id/stop (stop with a savepoint, not drained: the sources stop where they are, the
     * exactly-once sinks commit with the savepoint) and waits for it: the savepoint's path.
     */
    public String stopWithSavepoint(String jobId, Path directory, Duration timeout) throws IOException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("targetDirectory", directory.toUri().toString());
        request.put("drain", false);
        String trigger = json(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))), "stopping job " + jobId)
                .path("request-id").asText();
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger, "savepoint of job " + jobId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException("stop-with-savepoint of job " + jobId + " failed: "
                            + op.path("failure-cause").path("stack-trace").asText().lines().findFirst().orElse("?"));
                }
                return op.path("location").asText();
            }
            Thread.sleep(100);
        }
        throw new IOException("stop-with-savepoint of job " + jobId + " did not complete within " + timeout.toSeconds() + " s");
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
     * How often the job restarted, from three places of the REST API. The {@code numRestarts} metric
     * alone can miss it: the REST server answers metrics from a cache that a request only asks to
     * refresh, in the background, so the first answer after a quiet spell is the value of the last
     * refresh (in a chaos demo, the one made while the job was starting: 0 after a TaskManager had
     * been killed). The exception history (one entry per failure the scheduler handled, concurrent
     * failures merged) and the highest execution attempt of any subtask (attempt 1 after one
     * redeployment) are read from the scheduler itself when asked.
     */
    public Restarts restarts(String jobId) throws IOException {
        JsonNode metrics = get("/jobs/" + jobId + "/metrics?get=numRestarts", "metrics");
        long metric = metrics.isArray() && !metrics.isEmpty() ? metrics.get(0).path("value").asLong(-1) : -1;
        JsonNode history = get("/jobs/" + jobId + "/exceptions?maxExceptions=1000", "exceptions of job " + jobId)
                .path("exceptionHistory").path("entries");
        int maxAttempt = 0;
        for (JsonNode v : job(jobId).path("vertices")) {
            for (JsonNode subtask : get("/jobs/" + jobId + "/vertices/" + v.path("id").asText(), "vertex " + v.path("name").asText())
                    .path("subtasks")) {
                maxAttempt = Math.max(maxAttempt, subtask.path("attempt").asInt());
            }
        }
        return new Restarts(metric, history.size(), maxAttempt);
    }

    /**
     * @param metric the numRestarts metric, -1 when the metric fetcher had none yet
     * @param failures failures in the job's exception history
     * @param maxAttempt the highest execution attempt number of any subtask
     */
    public record Restarts(long metric, int failures, int maxAttempt) {

        /** The restarts a user reads: the largest of the three, since each can only undercount. */
        public long count() {
            return Math.max(metric, Math.max(failures, maxAttempt));
        }
    }

    /**
     * Bytes the job's operators have sent each other over Flink's network channels (each vertex's
     * {@code write-bytes}; chained operators and Kafka are not counted). Asked twice, a refresh apart,
     * since the first answer comes from the REST server's metric cache.
     */
    public long bytesBetweenOperators(String jobId) throws IOException, InterruptedException {
        job(jobId);
        Thread.sleep(1_500);
        long bytes = 0;
        for (JsonNode v : job(jobId).path("vertices")) {
            bytes += v.path("metrics").path("write-bytes").asLong();
        }
        return bytes;
    }

    /**
     * Records each subtask of the job's vertex named {@code vertex} has read, in subtask order (which replica served how
     * much), as the REST server's metric cache last fetched them: ask again until the figures move.
     */
    public List<Long> recordsInPerSubtask(String jobId, String vertex) throws IOException {
        String id = null;
        for (JsonNode v : job(jobId).path("vertices")) {
            if (v.path("name").asText().equals(vertex)) {
                id = v.path("id").asText();
            }
        }
        if (id == null) {
            throw new IOException("job " + jobId + " has no vertex named " + vertex);
        }
        List<Long> out = new ArrayList<>();
        for (JsonNode subtask : get("/jobs/" + jobId + "/vertices/" + id, "vertex " + vertex).path("subtasks")) {
            out.add(subtask.path("metrics").path("read-records").asLong());
        }
        return out;
    }

    /** One line per job the cluster knows: id, state, name. */
    public List<String> jobs() throws IOException {
        List<String> out = new ArrayList<>();
        get("/jobs/overview", "jobs").path("jobs").forEach(j -> out.add(
                j.path("jid").asText() + "  " + j.path("state").asText() + "  " + j.path("name").asText()));
        return out;
    }

    /** The registered TaskManagers' ids (their resource ids). */
    public List<String> taskManagers() throws IOException {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers", "taskmanagers").path("taskmanagers")
                .forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** Operator (vertex) name → the ids of the TaskManagers its subtasks run on, from the REST API. */
    public Map<String, List<String>> placement(String jobId) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            List<String> tms = new ArrayList<>();
            get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers", "vertex " + v.path("name").asText())
                    .path("taskmanagers")
                    .forEach(tm -> tms.add(tm.path("taskmanager-id").asText()));
            out.put(v.path("name").asText(), tms);
        }
        return out;
    }

    private JsonNode job(String jobId) throws IOException {
        return get("/jobs/" + jobId, "job " + jobId);
    }

    /** The JSON a GET of {@code path} answers; {@code what} names it in an error. */
    private JsonNode get(String path, String what) throws IOException {
        return json(HttpRequest.newBuilder(uri(path)).GET(), what);
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
