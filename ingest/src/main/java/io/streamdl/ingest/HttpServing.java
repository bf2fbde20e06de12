package io.streamdl.ingest;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * How an HTTP endpoint is served: which server listens (plain HTTP or HTTPS) and what guards each
 * of its paths. {@link #PLAIN} is plain HTTP, open to anyone who reaches the port.
 */
public interface HttpServing {
    HttpServing PLAIN =
            new HttpServing() {
                @Override
                public HttpServer create(InetSocketAddress address, int backlog)
                        throws IOException {
                    return HttpServer.create(address, backlog);
                }

                @Override
                public HttpContext protect(HttpContext context) {
                    return context;
                }

                @Override
                public String scheme() {
                    return "http";
                }
            };

    /** A server bound to {@code address}, not started. */
    HttpServer create(InetSocketAddress address, int backlog) throws IOException;

    /** Guards {@code context} (e.g. with authentication); returns it. */
    HttpContext protect(HttpContext context);

    /** {@code http} or {@code https}. */
    String scheme();
}
