package io.jigsaw.job;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1 for what the demo and the tests start (broker, dashboard): loopback only. */
public final class LoopbackPorts {

    private LoopbackPorts() {
    }

    public static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
