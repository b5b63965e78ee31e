package io.jigsaw.job;

import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.cluster.LocalCluster;
import io.jigsaw.job.cluster.RestTls;
import io.jigsaw.job.topology.Placement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * `bin/jigsaw cluster start --rest-tls`: the multi-process cluster serves its REST API and dashboard over
 * HTTPS and asks every client for the cluster's certificate. Its own client gets in; a client that trusts
 * the server but has no certificate, and a plain HTTP client, are refused. Runs after `package` (failsafe).
 */
// Two JVMs start on 2 cores.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestTlsIT {

    @TempDir
    Path work;

    @Test
    void onlyAClientWithTheClustersCertificateReachesItsRestApi() throws Exception {
        Path home = Path.of(System.getProperty("jigsaw.examples.dir")).getParent();
        RestTls tls = RestTls.ensure(work.resolve("tls"));
        assertThat(Files.getPosixFilePermissions(work.resolve("tls/rest.password")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        int port = LoopbackPorts.free();
        ClusterLayout layout = new ClusterLayout(List.of(new ClusterLayout.TaskManager("io", Placement.IO, null, null, 1)));
        LocalCluster.Settings settings = LocalCluster.Settings.ofCheckout(home, work, port, "1024m").withRestTls(tls);

        try (LocalCluster cluster = LocalCluster.start(layout, settings, Duration.ofSeconds(180), System.err)) {
            FlinkRest rest = cluster.rest();
            assertThat(rest.url()).isEqualTo("https://127.0.0.1:" + port);
            assertThat(rest.up()).as("the cluster's own client").isTrue();
            assertThat(rest.taskManagers()).containsExactly("io");
            // No password on any process's command line: it is in a configuration only the owner reads.
            for (LocalCluster.Member m : cluster.state().members()) {
                String commandLine = ProcessHandle.of(m.pid()).flatMap(p -> p.info().commandLine()).orElse("");
                assertThat(commandLine).doesNotContain(Files.readString(work.resolve("tls/rest.password")).trim());
            }

            HttpClient noCertificate = HttpClient.newBuilder().sslContext(tls.trustOnlyContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> noCertificate.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/overview"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("a client without the certificate").isInstanceOf(IOException.class);

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(answers(plain, "http://127.0.0.1:" + port + "/overview")).as("plain HTTP").isFalse();
        }
    }

    /** Whether the URL answers 200 at all (a refused connection, a closed one, any error: no). */
    private static boolean answers(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
