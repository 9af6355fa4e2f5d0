package io.chaosproxy.proxy.tcp;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Refuse;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.DatabasePool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service's database pool through a TCP proxy: H2's TCP server on a free port, the H2 JDBC
 * driver, a HikariCP pool. Each fault shows up as the pool's user would see it, and the same pool
 * works again once the rule is gone, without a restart.
 */
@Timeout(60)
class JdbcThroughTcpProxyTest {
    /** The driver's socket read timeout (H2's NETWORK_TIMEOUT): what ends a query whose answer never comes. */
    private static final int SOCKET_TIMEOUT_MS = 2_000;

    private static Server database;
    private static ChaosProxyServer proxy;
    private static DatabasePool pool;

    @BeforeAll
    static void start() throws Exception {
        // HikariCP checks a connection on every borrow (its default skips that for 500 ms after last use):
        // H2 reports a cut connection with its own codes, not SQLState 08xxx, so Hikari would otherwise
        // hand a dead connection out once before it notices. -1, not 0: Hikari skips the check when the
        // milliseconds since last use are not above the window, and a connection returned in the same
        // millisecond it is borrowed again has 0.
        System.setProperty("com.zaxxer.hikari.aliveBypassWindowMs", "-1");
        database = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        proxy = ChaosProxyServer.builder().seed(11).tcp("db", "127.0.0.1:" + database.getPort()).build().start();
        pool = DatabasePool.open("jdbc:h2:tcp://" + proxy.address("db") + "/mem:orders;DB_CLOSE_DELAY=-1;NETWORK_TIMEOUT=" + SOCKET_TIMEOUT_MS, "sa",
                "CREATE TABLE IF NOT EXISTS orders(id INT PRIMARY KEY, total INT)", "MERGE INTO orders VALUES (1, 42)");
    }

    @AfterAll
    static void stop() {
        pool.close();
        proxy.close();
        database.stop();
    }

    @AfterEach
    void healthyAgain() throws Exception {
        proxy.faults().removeAll();
        assertThat(total()).as("the same pool works once the rule is gone").isEqualTo(42);
    }

    @Test
    void latencyAddsToEveryQueryOnPooledConnections() throws Exception {
        total(); // a pooled connection exists before the rule
        proxy.inject(FaultRule.builder(new Latency(300)).proxy("db").build());
        long start = System.nanoTime();
        assertThat(total()).isEqualTo(42);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aResetFailsTheQueryInFlightWithAnSqlExceptionAndThePoolRecovers() throws Exception {
        total();
        InstalledRule reset = proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_BYTES, 0, DropMode.RESET,
                Direction.UPSTREAM)).proxy("db").build());
        assertThatThrownBy(JdbcThroughTcpProxyTest::total).isInstanceOf(SQLException.class);
        var cut = proxy.journal().await(JournalQuery.ALL.withProxy("db").withFault(reset.id()), 1, Duration.ofSeconds(10));
        assertThat(cut).isNotEmpty();
        assertThat(cut.get(0).connection().end()).isEqualTo(ConnectionRecord.END_FAULT);
    }

    @Test
    void aHangTripsTheDriversSocketTimeoutAndThePoolRecovers() throws Exception {
        Connection connection = pool.connection();
        Statement statement = connection.createStatement();
        proxy.inject(FaultRule.builder(new Hang()).proxy("db").build()); // the database stops answering mid-use
        long start = System.nanoTime();
        assertThatThrownBy(() -> statement.executeQuery("SELECT total FROM orders WHERE id = 1"))
                .isInstanceOf(SQLException.class).hasMessageContaining("Connection is broken"); // H2 on its read timeout
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertThat(waited).as("the driver gave up at its socket timeout, not before").isGreaterThanOrEqualTo(SOCKET_TIMEOUT_MS - 100);
        assertThat(waited).as("and not long after").isLessThan(SOCKET_TIMEOUT_MS + 5_000);
        try {
            connection.close(); // back to the pool, which finds it broken on the next borrow
        } catch (SQLException brokenAgain) {
            // H2 reports the broken session once more while Hikari resets the connection
        }
    }

    @Test
    void refuseMakesGetConnectionFailWithinThePoolsConnectionTimeout() throws Exception {
        proxy.inject(FaultRule.builder(new Refuse()).proxy("db").build());
        pool.assertNextQueryFailsOnceConnectionsAreGone();
    }

    private static int total() throws SQLException {
        return pool.total();
    }
}
