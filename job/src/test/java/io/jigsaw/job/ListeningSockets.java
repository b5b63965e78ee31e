package io.jigsaw.job;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets this JVM listens on, as Linux lists them: /proc/net/tcp and tcp6 rows in state LISTEN
 * whose inode is one of this process's file descriptors.
 */
final class ListeningSockets {

    record Listening(InetAddress address, int port) {
        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port;
        }
    }

    private ListeningSockets() {
    }

    static List<Listening> ofThisProcess() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // A descriptor closed while listing: not listening any more.
                }
            }
        }
        List<Listening> out = new ArrayList<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] f = line.trim().split("\\s+");
                // local_address rem_address st ... inode (column 9)
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    out.add(new Listening(address(local[0]), Integer.parseInt(local[1], 16)));
                }
            }
        }
        return out;
    }

    /** The kernel prints addresses as 32-bit words in host (little-endian) order. */
    private static InetAddress address(String hex) throws IOException {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] out = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                out[word + i] = raw[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(out);
    }

    /** Loopback: 127.0.0.0/8, ::1, or an IPv4-mapped loopback address. */
    static boolean loopback(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        boolean mapped = b.length == 16 && b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
        for (int i = 0; mapped && i < 10; i++) {
            mapped = b[i] == 0;
        }
        return mapped && b[12] == 127;
    }
}
