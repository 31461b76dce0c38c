// Unmodified Java com.sun.net.httpserver server for the end-to-end tests.
// Single-file launch: java JavaServer.java PORT
//   GET /hello        200 "hello"
//   GET /users/<id>   200 JSON
//   anything else     404
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

public class JavaServer {
    static void reply(HttpExchange ex, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args.length > 0 ? args[0] : "8000");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (path.equals("/hello")) {
                reply(ex, 200, "hello\n", "text/plain");
            } else if (path.matches("/users/[^/]+")) {
                String id = path.substring("/users/".length());
                reply(ex, 200, "{\"id\":\"" + id + "\"}\n", "application/json");
            } else {
                reply(ex, 404, "not found\n", "text/plain");
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        server.start();
        System.out.println("java server listening on " + port);
        System.out.flush();
    }
}
