// Demo 'inventory' service: the JDK's built-in HTTP server, no tracing code.
//   java Inventory.java PORT
//   GET /stock/<id> -> 200 for items 1..5, 500 for 13 (a broken warehouse), 404 otherwise
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

public class Inventory {
    static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/stock/", ex -> {
            String id = ex.getRequestURI().getPath().substring("/stock/".length());
            try {
                Thread.sleep(15);  // a database lookup, so the waterfall has some width
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (id.matches("[1-5]")) {
                reply(ex, 200, "{\"item\":" + id + ",\"in_stock\":" + (10 * Integer.parseInt(id)) + "}\n");
            } else if (id.equals("13")) {
                reply(ex, 500, "{\"error\":\"warehouse database unavailable\"}\n");
            } else {
                reply(ex, 404, "{\"error\":\"unknown item\"}\n");
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("inventory listening on " + port);
    }
}
