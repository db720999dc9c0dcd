import { describe, expect, it } from "vitest";
import { DockerArgumentError } from "../../../src/core/errors.js";
import { buildPath, buildQuery } from "../../../src/core/url.js";

describe("buildPath", () => {
  it("encodes every path parameter as one segment", () => {
    expect(buildPath("/containers/{id}/json", { id: "x/images/json" })).toBe("/containers/x%2Fimages%2Fjson/json");
    expect(buildPath("/images/{name}/json", { name: "registry:5000/team/app:1.0" })).toBe(
      "/images/registry%3A5000%2Fteam%2Fapp%3A1.0/json",
    );
    expect(buildPath("/containers/{id}/json", { id: "a b?c#d" })).toBe("/containers/a%20b%3Fc%23d/json");
  });

  it("refuses ids the daemon's router would resolve to another endpoint", () => {
    for (const id of ["", ".", "..", "../images/json", "a//b", "a/"]) {
      expect(() => buildPath("/containers/{id}/json", { id })).toThrow(DockerArgumentError);
    }
  });

  it("refuses non-string ids from JavaScript callers before sending", () => {
    expect(() => buildPath("/containers/{id}/json", { id: undefined })).toThrow(/must be a string, got undefined/);
    expect(() => buildPath("/containers/{id}/json", { id: { a: 1 } })).toThrow(/got object/);
    expect(() => buildPath("/containers/{id}/json", {})).toThrow(/Missing path parameter "id"/);
  });
});

describe("buildQuery", () => {
  it("leaves out undefined values and keeps booleans and numbers", () => {
    expect(buildQuery({ all: true, limit: 3, size: undefined })).toBe("?all=true&limit=3");
  });

  it("JSON-encodes objects such as filters, as the daemon expects", () => {
    const q = buildQuery({ filters: { label: ["a=b"], status: ["running"] } });
    expect(decodeURIComponent(q)).toBe('?filters={"label":["a=b"],"status":["running"]}');
  });

  it("repeats keys for arrays and encodes reserved characters", () => {
    expect(buildQuery({ t: ["a:1", "b&c"] })).toBe("?t=a%3A1&t=b%26c");
  });

  it("percent-encodes keys, so a key cannot add parameters of its own", () => {
    expect(buildQuery({ "all=1&size": true })).toBe("?all%3D1%26size=true");
    expect(buildQuery({ a: 1, "b#c": "d", "e f": ["g", "h"], i: { j: 1 } })).toBe(
      "?a=1&b%23c=d&e%20f=g&e%20f=h&i=%7B%22j%22%3A1%7D",
    );
    expect(new URLSearchParams(buildQuery({ "all=1&size": true, "ü": "x" })).get("all=1&size")).toBe("true");
  });

  it("returns an empty string when nothing is set", () => {
    expect(buildQuery(undefined)).toBe("");
    expect(buildQuery({ a: undefined })).toBe("");
  });
});
