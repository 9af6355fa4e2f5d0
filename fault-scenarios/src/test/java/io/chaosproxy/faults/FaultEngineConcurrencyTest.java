package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultEngineConcurrencyTest {

    @Test
    void timesIsExactUnderEightThreadsDecidingAtOnce() throws Exception {
        FaultEngine engine = new FaultEngine(5, Clock.systemUTC());
        InstalledRule rule = engine.install(FaultRule.builder(new ErrorResponse(503)).times(1000).build(), "api");
        int threads = 8;
        int callsPerThread = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                counts.add(pool.submit(() -> {
                    start.await();
                    int fired = 0;
                    for (int i = 0; i < callsPerThread; i++) {
                        if (engine.decide(Request.get("/"), Target.CLIENT).terminal() != null) {
                            fired++;
                        }
                    }
                    return fired;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> count : counts) {
                total += count.get(30, TimeUnit.SECONDS);
            }

            assertThat(total).isEqualTo(1000);
            assertThat(rule.fired()).isEqualTo(1000);
            assertThat(rule.exhausted()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void countersStayExactWhileRulesComeAndGo() throws Exception {
        FaultEngine engine = new FaultEngine(5, Clock.systemUTC());
        InstalledRule counted = engine.install(FaultRule.builder(new Latency(1)).build(), "api");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        engine.decide(Request.get("/"), Target.CLIENT);
                    }
                }));
            }
            work.add(pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    InstalledRule extra = engine.install(FaultRule.builder(new Hang()).build(), "api");
                    engine.remove(extra.id());
                }
            }));
            for (Future<?> done : work) {
                done.get(30, TimeUnit.SECONDS);
            }

            assertThat(counted.fired()).isEqualTo(30_000);
            assertThat(engine.rules()).containsExactly(counted);
        } finally {
            pool.shutdownNow();
        }
    }
}
