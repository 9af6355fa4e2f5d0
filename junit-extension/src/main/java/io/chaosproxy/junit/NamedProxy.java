package io.chaosproxy.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One more proxy in {@link ChaosProxyConfig#proxies()}, for a service with several dependencies:
 * {@code @NamedProxy(name = "payments", upstream = "${PAYMENTS_URL}")}. Tests reach it with
 * {@code proxy.url("payments")}, re-point it with {@code proxy.upstream("payments", url)} and aim
 * faults at it with {@code .onProxy("payments")}. Placeholders work as in {@link ChaosProxyConfig}.
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NamedProxy {

    /** 1-64 characters of A-Z a-z 0-9 . _ -; "default" is the default proxy's. */
    String name();

    /** Its backend base URLs, round-robin; none means "set at run time". */
    String[] upstream() default {};

    /** Where it listens, HOST:PORT; port 0 (the default) picks a free port. */
    String listen() default "127.0.0.1:0";
}
