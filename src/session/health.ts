/**
 * `grpc.health.v1.Health/Check`: the daemon calls it every few seconds and closes the session
 * after failed checks, so it answers at once, whatever service is asked about.
 */
import { unary, type GrpcHandler } from "./server.js";

/** The method path. */
export const HEALTH_CHECK = "/grpc.health.v1.Health/Check";

/**
 * `HealthCheckResponse { status: SERVING }`: field 1 (varint) = 1. Written out because the
 * health protocol is not among the generated BuildKit definitions and this answer never varies.
 */
const SERVING = Uint8Array.of(0x08, 0x01);

/** The handler. */
export const healthCheck: GrpcHandler = unary(async () => SERVING);
