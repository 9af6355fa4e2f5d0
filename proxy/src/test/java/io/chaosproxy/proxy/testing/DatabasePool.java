package io.chaosproxy.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A service's HikariCP pool as the database tests through a TCP proxy use it, whatever the
 * database: two connections, timeouts short enough for a test, and one table {@code orders} with
 * the row {@code (1, 42)}, read back by {@link #total()}.
 */
public final class DatabasePool implements AutoCloseable {
    private final HikariDataSource pool;

    private DatabasePool(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens the pool on {@code jdbcUrl} and writes the row with {@code createTable} and {@code insertRow}. */
    public static DatabasePool open(String jdbcUrl, String user, String createTable, String insertRow) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(1_000);
        config.setValidationTimeout(500);
        DatabasePool opened = new DatabasePool(new HikariDataSource(config));
        try (Connection connection = opened.connection(); Statement statement = connection.createStatement()) {
            statement.execute(createTable);
            statement.execute(insertRow);
        }
        return opened;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** The row's total, over a connection borrowed for the query. */
    public int total() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT total FROM orders WHERE id = 1")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /**
     * What a service sees once its database refuses connections: the pooled ones are evicted
     * until none has been left for a while (a connection the pool was still opening at the first
     * eviction, its minimumIdle refill, joins after it), and then its next query fails within the
     * pool's 1 s connection timeout, plus slack.
     */
    public void assertNextQueryFailsOnceConnectionsAreGone() {
        await("the pool holds no connection").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> {
            pool.getHikariPoolMXBean().softEvictConnections();
            return pool.getHikariPoolMXBean().getTotalConnections() == 0;
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> {
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT 1").close();
            }
        }).isInstanceOf(SQLException.class);
        assertThat((System.nanoTime() - start) / 1_000_000).as("within the pool's 1 s connection timeout, plus slack")
                .isLessThan(5_000);
    }

    @Override
    public void close() {
        pool.close();
    }
}
