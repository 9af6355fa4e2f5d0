package io.chaosproxy.proxy.cli;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** {@code --port-file}: {@code {"control": C, "proxies": {"default": P, ...}}}, written whole or not at all. */
final class PortFile {
    private PortFile() {}

    static String json(ChaosProxyServer server) {
        StringBuilder json = new StringBuilder("{\"control\": ").append(server.controlUrl().getPort()).append(", \"proxies\": {");
        List<ProxyRuntime> proxies = server.proxies();
        for (int i = 0; i < proxies.size(); i++) {
            if (i > 0) {
                json.append(", ");
            }
            json.append('"').append(proxies.get(i).name()).append("\": ").append(proxies.get(i).listen().port());
        }
        return json.append("}}\n").toString();
    }

    static void write(Path portFile, ChaosProxyServer server) throws IOException {
        Path target = portFile.toAbsolutePath();
        Path temp = Files.createTempFile(target.getParent(), ".chaos-proxy-ports", ".tmp");
        Files.writeString(temp, json(server), StandardCharsets.UTF_8);
        // Readers polling for the file never see it half-written.
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
