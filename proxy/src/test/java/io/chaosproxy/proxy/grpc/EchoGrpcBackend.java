package io.chaosproxy.proxy.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real grpc-java server (Netty, cleartext HTTP/2) on a free loopback port, serving grpc-java's
 * precompiled {@code grpc.testing.SimpleService}:
 * <ul>
 *   <li>unary: echoes the message; {@code status:CODE:MESSAGE} fails with that status;
 *       {@code deadline} answers how many ms the server's deadline had left, or "none";
 *       {@code length:...} answers the message's length;</li>
 *   <li>client streaming: the messages joined with "+";</li>
 *   <li>server streaming: {@code N:SIZE} streams N messages of SIZE characters;</li>
 *   <li>bidirectional: each message echoed as "echo:" + message as soon as it arrives.</li>
 * </ul>
 * Every call gets header {@code x-tenant-echo} (the client's {@code x-tenant}) and trailer
 * {@code x-served-by: echo-backend}.
 */
final class EchoGrpcBackend implements AutoCloseable {
    static final int MAX_MESSAGE = 16 * 1024 * 1024;
    static final Metadata.Key<String> TENANT = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TENANT_ECHO = Metadata.Key.of("x-tenant-echo", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> SERVED_BY = Metadata.Key.of("x-served-by", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();

    EchoGrpcBackend() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .maxInboundMessageSize(MAX_MESSAGE)
                .addService(ServerInterceptors.intercept(new Service(), new MetadataEcho()))
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    /** Calls that reached this server. */
    int calls() {
        return calls.get();
    }

    /** The request headers of the latest call. */
    Metadata lastHeaders() {
        return lastHeaders.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static SimpleResponse reply(String message) {
        return SimpleResponse.newBuilder().setResponseMessage(message).build();
    }

    private final class MetadataEcho implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            calls.incrementAndGet();
            lastHeaders.set(headers);
            String tenant = headers.get(TENANT);
            return next.startCall(new SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    if (tenant != null) {
                        responseHeaders.put(TENANT_ECHO, tenant);
                    }
                    super.sendHeaders(responseHeaders);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                    trailers.put(SERVED_BY, "echo-backend");
                    super.close(status, trailers);
                }
            }, headers);
        }
    }

    private static final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            String message = request.getRequestMessage();
            if (message.startsWith("status:")) {
                String[] parts = message.split(":", 3);
                responses.onError(Status.fromCodeValue(Integer.parseInt(parts[1])).withDescription(parts[2]).asRuntimeException());
                return;
            }
            if (message.startsWith("length:")) {
                message = Integer.toString(message.length()); // a big request, a small answer
            }
            if (message.equals("deadline")) {
                Deadline deadline = Context.current().getDeadline();
                message = deadline == null ? "none" : Long.toString(deadline.timeRemaining(TimeUnit.MILLISECONDS));
            }
            responses.onNext(reply(message));
            responses.onCompleted();
        }

        @Override
        public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> responses) {
            StringBuilder joined = new StringBuilder();
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest request) {
                    joined.append(joined.length() == 0 ? "" : "+").append(request.getRequestMessage());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    responses.onNext(reply(joined.toString()));
                    responses.onCompleted();
                }
            };
        }

        @Override
        public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            String[] parts = request.getRequestMessage().split(":");
            int count = Integer.parseInt(parts[0]);
            int size = Integer.parseInt(parts[1]);
            for (int i = 0; i < count; i++) {
                String prefix = i + "-";
                responses.onNext(reply(prefix + "x".repeat(Math.max(0, size - prefix.length()))));
            }
            responses.onCompleted();
        }

        @Override
        public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(SimpleRequest request) {
                    responses.onNext(reply("echo:" + request.getRequestMessage()));
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
