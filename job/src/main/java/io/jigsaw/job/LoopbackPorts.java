package io.jigsaw.job;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports on 127.0.0.1 for what the demo and the tests start (broker, dashboard, a cluster's RPC): loopback only.
 *
 * <p>A port is handed out free and bound later, by another process. One from the kernel's ephemeral range (what
 * binding port 0 gives) can be taken meanwhile by any socket the kernel numbers itself — a TaskManager starting
 * beside a JobManager binds dozens — so ports come from below that range where the machine says where it is.
 */
public final class LoopbackPorts {

    private static final int LOWEST = 10_000;

    private LoopbackPorts() {
    }

    public static int free() throws IOException {
        int ephemeralLow = ephemeralLow();
        if (ephemeralLow > LOWEST + 1_000) {
            for (int attempt = 0; attempt < 50; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, ephemeralLow);
                try (ServerSocket socket = new ServerSocket(port, 0, InetAddress.getLoopbackAddress())) {
                    return socket.getLocalPort();
                } catch (IOException taken) {
                    // someone listens there: try another
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The low end of the kernel's ephemeral port range (Linux), or 0 where unknown. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            return 0;
        }
    }
}
