package io.streamdl.ops.platform;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Port checks made before a service binds, so a clash is reported by name. */
public final class Ports {
    private Ports() {}

    /** A port that was free on {@code host} a moment ago. */
    public static int free(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    /** Resolves 0 to a free port and refuses a port that is taken, naming its config key. */
    public static int claim(String host, int port, String key, String service) {
        if (port == 0) {
            return free(host);
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return port;
        } catch (IOException e) {
            throw new PlatformException(
                    service
                            + " cannot listen on "
                            + host
                            + ":"
                            + port
                            + " ("
                            + key
                            + "): the port is already in use"
                            + " or not allowed; stop what holds it or set "
                            + key
                            + " to another port");
        }
    }
}
