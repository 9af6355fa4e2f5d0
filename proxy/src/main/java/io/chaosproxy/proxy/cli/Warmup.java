package io.chaosproxy.proxy.cli;

/**
 * Most of a cold start is loading and initialising classes, one after another on the main
 * thread: options, the data plane, then the control API's web stack (the largest part), then
 * OkHttp's request path at the first request. This thread sets logging up first (the main thread
 * waits for it once the options are parsed, see {@link LoggingSetup}), then does the later parts
 * while the main thread does the earlier ones, so a machine with a second CPU starts in less
 * time. It only makes objects it throws away (nothing is bound, started or registered), and gives
 * up quietly: whatever it did not get to, the start does itself.
 */
final class Warmup implements Runnable {
    static void startInBackground() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return; // one CPU: it could only take time from the start itself
        }
        Thread thread = new Thread(new Warmup(), "chaos-proxy-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            LoggingSetup.await(); // first: the main thread waits for it once the options are parsed
            // next: the data plane's Jetty server needs it soonest, and its initialiser lists
            // every locale the JVM has (40-70 ms with the launcher's locale data, 160-230 ms
            // with CLDR's under plain java -jar)
            Class.forName("org.eclipse.jetty.http.MimeTypes", true, Warmup.class.getClassLoader());
            io.javalin.Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                config.startup.showOldJavalinVersionWarning = false;
                config.startup.startupWatcherEnabled = false;
            });
            // cleartext, as the proxy's own client is until an https backend needs TLS
            okhttp3.OkHttpClient client = new okhttp3.OkHttpClient.Builder()
                    .connectionSpecs(java.util.List.of(okhttp3.ConnectionSpec.CLEARTEXT)).build();
            client.newCall(new okhttp3.Request.Builder().url("http://127.0.0.1/")
                    .tag(String.class, "warm-up").build()); // a call made, never executed
            new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                    io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT).scrape();
        } catch (Throwable e) {
            // nothing lost but time
        }
    }
}
