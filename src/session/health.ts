/**
 * `grpc.health.v1.Health/Check`: the daemon calls it every few seconds and closes the session
 * after failed checks, so it answers at once, whatever service is asked about.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from "../../generated/buildkit/grpc/health/v1/health_pb.js";
import { unary, type GrpcHandler } from "./server.js";

/** The method path. */
export const HEALTH_CHECK = "/grpc.health.v1.Health/Check";

/** The handler. */
export const healthCheck: GrpcHandler = (call) => {
  const serving = toBinary(HealthCheckResponseSchema, create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING }));
  return unary(async () => serving)(call);
};
