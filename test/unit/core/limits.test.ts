import { constants } from "node:buffer";
import { describe, expect, it } from "vitest";
import { DockerArgumentError, DockerConfigError, DockerLimitError, DockerProtocolError, limitError } from "../../../src/core/errors.js";
import { callLimits, clientLimits, DEFAULT_LIMITS } from "../../../src/core/limits.js";

describe("limits: defaults and merging", () => {
  it("defaults: 128 MiB JSON, 16 MiB lines, 1 MiB frames, 64 KiB heads", () => {
    expect(DEFAULT_LIMITS).toEqual({ jsonBody: 128 << 20, jsonLine: 16 << 20, outputFrame: 1 << 20, responseHead: 64 << 10 });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
    // Well under the longest string V8 makes, since a JSON answer is decoded into one.
    expect(DEFAULT_LIMITS.jsonBody).toBeLessThan(constants.MAX_STRING_LENGTH / 2);
  });

  it("a client's limits go over the defaults; unset and undefined ones keep them", () => {
    expect(clientLimits(undefined)).toBe(DEFAULT_LIMITS);
    const limits = clientLimits({ jsonBody: 256 << 20, jsonLine: undefined });
    expect(limits).toEqual({ ...DEFAULT_LIMITS, jsonBody: 256 << 20 });
    expect(Object.isFrozen(limits)).toBe(true);
  });

  it("a call's limits go over the client's; without any, the client's object itself", () => {
    const client = clientLimits({ jsonLine: 1000 });
    expect(callLimits(client, undefined)).toBe(client);
    expect(callLimits(client, { outputFrame: 10, jsonBody: undefined })).toEqual({ ...client, outputFrame: 10 });
    expect(client.outputFrame).toBe(DEFAULT_LIMITS.outputFrame);
  });

  it.each([0, -5, 2.5, Number.NaN, Infinity, "64", null])("refuses %s: as a client option with DockerConfigError, in a call with DockerArgumentError", (value) => {
    const given = { outputFrame: value } as never;
    expect(() => clientLimits(given)).toThrow(DockerConfigError);
    expect(() => clientLimits(given)).toThrow(/^limits\.outputFrame must be a whole number of bytes of at least 1, got /);
    expect(() => callLimits(DEFAULT_LIMITS, given)).toThrow(DockerArgumentError);
  });

  it("refuses an unknown limit, a non-object, and string limits past the longest string", () => {
    expect(() => clientLimits({ jsonbody: 5 } as never)).toThrow(/^limits\.jsonbody is not a limit \(known: jsonBody, jsonLine, outputFrame, responseHead\)/);
    expect(() => clientLimits(5 as never)).toThrow(/^limits must be an object/);
    expect(() => clientLimits({ jsonBody: constants.MAX_STRING_LENGTH + 1 })).toThrow(/cannot exceed .* the longest string/);
    expect(clientLimits({ outputFrame: 2 ** 40 }).outputFrame).toBe(2 ** 40);
  });

  it("responseHead is the client's alone: a call giving it is refused, saying where it goes", () => {
    expect(() => callLimits(DEFAULT_LIMITS, { responseHead: 1 } as never)).toThrow(DockerArgumentError);
    expect(() => callLimits(DEFAULT_LIMITS, { responseHead: 1 } as never)).toThrow(/client option \(new Docker\(\{ limits: \{ responseHead \} \}\)\)/);
  });
});

describe("DockerLimitError", () => {
  it("is a protocol error naming the limit, the size, the call and how to raise it", () => {
    const facts = { operation: "ContainerInspect", method: "GET", path: "/v1.47/containers/x/json", apiVersion: "1.47" };
    const err = limitError("jsonBody", 1000, 5000, facts, true);
    expect(err).toBeInstanceOf(DockerProtocolError);
    expect(err).toBeInstanceOf(DockerLimitError);
    expect(err).toMatchObject({ name: "DockerLimitError", limit: "jsonBody", maximum: 1000, size: 5000, ...facts });
    expect(err.message).toBe(
      "The JSON answer to GET /v1.47/containers/x/json is larger than the jsonBody limit of 1000 bytes (it declared 5000 bytes); " +
        "it was not read further and its connection was closed. If the engine really sends that much, raise the limit: " +
        "new Docker({ limits: { jsonBody: … } }) or the call's { limits: { jsonBody: … } }",
    );
    expect(limitError("jsonLine", 10, 11, {}).message).toMatch(/^The line of the JSON stream is larger than the jsonLine limit of 10 bytes \(11 bytes had arrived\)/);
    expect(limitError("responseHead", 10, undefined, {}).message).toMatch(/limit of 10 bytes; .* raise the limit: new Docker\(\{ limits: \{ responseHead: … \} \}\)$/);
  });
});
