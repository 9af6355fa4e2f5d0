/**
 * The data plane: one exchange, client to backend and back, without a thread waiting anywhere.
 *
 * <p>A map for a first read:
 * <ul>
 *   <li>Running proxies: {@link io.chaosproxy.proxy.dataplane.DataPlane} (one Jetty server, a
 *       connector per named proxy), {@link io.chaosproxy.proxy.dataplane.ProxyRuntime} (one named
 *       proxy: listener, backends, retry rules), {@link io.chaosproxy.proxy.dataplane.ProxyCore}
 *       (what all proxies share: fault engine, scheduler, parked hangs, exchange listeners).</li>
 *   <li>A cold start: {@code ParallelStart} (the upstream clients made on a second CPU while Jetty
 *       is set up, then one throwaway exchange through a private loopback listener, so the first
 *       real one finds its classes loaded).</li>
 *   <li>The pipeline, in order, drawn in {@code ExchangeHandler}: {@code Exchange} (request id,
 *       trace context, the journal entry when it ends) -&gt; {@code RequestGuard} (open-proxy refusal,
 *       Max-Forwards) -&gt; client faults -&gt; {@code UpstreamLeg} (the attempt loop:
 *       {@code BackendChoice}, {@code UpstreamRequests}, retries) -&gt; {@code ResponseRelay} (the body
 *       streamed back, bandwidth and mid-body drops; {@code ArrivedBytes} lets one write carry what
 *       has arrived).</li>
 *   <li>One try at one backend, whatever carries it: {@code UpstreamAttempt} (permit, timeout,
 *       hang, settle-once, the breaker's verdict, timing); {@code StaleConnectionInterceptor} tells a
 *       backend's idle close of a pooled connection from a failure.</li>
 *   <li>A client that leaves: {@code ClientWatch} (HTTP/1.1 connections nobody reads while an
 *       exchange is held; {@code ClientWatchSweep} starts it for exchanges that last), {@code BodyReadAhead} (an HTTP/1.1 request body read through a bounded
 *       buffer: ahead during holds, so its client's leaving is seen too; at a minimum rate and, on
 *       platform threads, with a capped number of uploads waiting), {@code Exchange#onClientGone}.</li>
 *   <li>WebSockets: {@code WebSocketLeg} (backend handshake first), then {@code WebSocketSession}
 *       relays messages, paced by {@code MessagePacer}.</li>
 *   <li>Faults applied: {@code UpstreamFaultInterceptor} ({@code target: upstream}),
 *       {@code ResponseFaults} (bandwidth and after-headers drops of both sides),
 *       {@code HangHold} and {@code HangRegistry} (held exchanges), {@code ClientResponses} (answers
 *       the proxy makes itself: errors, injected responses, drops; {@code UnreadBodyDrain} reads the
 *       request body they left, so the HTTP/1.1 connection carries the next request).</li>
 *   <li>Faithful forwarding: {@code HopByHopHeaders}, {@code FaithfulHeadersInterceptor},
 *       {@code ClientRequestBody} (the request body streamed), {@code ProxyIdentity} ({@code Via}).</li>
 *   <li>gRPC and trailers: {@code GrpcCalls} (what a gRPC call is, where its status is),
 *       {@code TrailerFields} ({@code TE: trailers}, the backend's trailers to the client, the
 *       client's to an HTTP/2 backend), {@code DuplexBodyInterceptor} and {@code DuplexRequestBody}
 *       (bodies that flow while the answer does, on HTTP/2 backends, and end with the client's
 *       trailers), {@code Http2RequestTrailers} (where OkHttp's HTTP/2 stream takes them).</li>
 *   <li>TCP proxies: {@code io.chaosproxy.proxy.dataplane.tcp} (a byte pipe per connection, with
 *       its own fault stages), made through {@code TcpListeners}; {@code ConnectionCounters} are
 *       their live counts.</li>
 *   <li>What it runs on: {@code io.chaosproxy.proxy.dataplane.transport} (Jetty connection
 *       factories and connection handling, OkHttp clients, upstream TLS trust).</li>
 * </ul>
 *
 * <p>Design note, request trailers: OkHttp 5.5.1 has no public API to send them (square/okhttp issue
 * 7498). They reach HTTP/2 backends through the one HTTP/2 body path there is (the duplex body),
 * set on OkHttp's HTTP/2 stream sink just before it closes; {@code Http2RequestTrailers} is the only
 * class that touches OkHttp internals, and it degrades to dropping them with a warning. Sending
 * h2c through Jetty's HttpClient instead was weighed and left: every upstream piece (the attempt's
 * call and cancel, the interceptors for upstream faults, faithful headers and stale connections,
 * {@code ResponseRelay} and {@code AfterBackend}, which read an OkHttp {@code Response}) would need
 * a second carrier or a carrier-neutral rewrite, for a feature gRPC never uses. HTTP/1.1 backends
 * get no request trailers: OkHttp's chunked request body has no trailer section to fill.
 */
package io.chaosproxy.proxy.dataplane;
