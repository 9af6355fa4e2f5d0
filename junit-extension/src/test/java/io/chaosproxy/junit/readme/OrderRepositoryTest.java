package io.chaosproxy.junit.readme;

import static io.chaosproxy.junit.Faults.drop;
import static io.chaosproxy.junit.Faults.latency;
import static io.chaosproxy.junit.Faults.refuse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.chaosproxy.junit.ChaosProxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OrderRepositoryTest {
    // stands for your real database: H2's TCP server on a free port
    static final Server database = startDatabase();

    @RegisterExtension
    static final ChaosProxy proxy = ChaosProxy.builder()
            .tcp("db", "127.0.0.1:" + database.getPort())
            .build();

    static HikariDataSource pool;

    static HikariDataSource pool() {
        if (pool == null) {
            // check connections on every borrow, even one returned this millisecond:
            // H2 does not report a cut connection as SQLState 08xxx
            System.setProperty("com.zaxxer.hikari.aliveBypassWindowMs", "-1");
            pool = new HikariDataSource();
            pool.setJdbcUrl("jdbc:h2:tcp://" + proxy.address("db") + "/mem:orders;DB_CLOSE_DELAY=-1");
            pool.setConnectionTimeout(3_000);
            pool.setMinimumIdle(0); // connections made on demand only, so the test knows when new ones are needed
        }
        return pool;
    }

    @Test
    void aSlowDatabaseMakesQueriesSlowNotFailed() throws Exception {
        selectOne(); // a pooled connection, open before the rule: it slows down too
        proxy.inject(latency(Duration.ofMillis(200)).onProxy("db"));
        long start = System.nanoTime();
        assertEquals(1, selectOne());
        assertTrue(System.nanoTime() - start >= 200_000_000L);
    }

    @Test
    void aDatabaseThatIsDownFailsWithinThePoolTimeout() throws Exception {
        selectOne();
        proxy.inject(refuse().onProxy("db")); // connections already open would carry on:
        pool().getHikariPoolMXBean().softEvictConnections(); // the pool must make new ones
        assertThrows(SQLException.class, OrderRepositoryTest::selectOne);
    }

    @Test
    void aConnectionResetMidQueryIsAnSqlException() throws Exception {
        selectOne();
        proxy.inject(drop().afterBytes(0).onProxy("db"));
        assertThrows(SQLException.class, OrderRepositoryTest::selectOne);
        proxy.requests().onProxy("db").matching("cut", e -> "fault".equals(e.connection().end())).await(1, Duration.ofSeconds(5));
    }

    static int selectOne() throws SQLException {
        try (Connection connection = pool().getConnection(); Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT 1")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    static Server startDatabase() {
        try {
            return Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
        database.stop();
    }
}
