// The project's corrections to the upstream spec, applied to the OpenAPI 3 document after
// conversion. Each patch states one reason and throws when its target is missing or already
// fixed upstream, so spec drift shows up as a failed generation rather than a silent no-op.
//
// Facts that only our tooling needs are recorded as `x-dockhand-*` keys; emitters read them
// and the prose stripper removes them before openapi-typescript runs.
import { at, operation, operations, property, response, schema } from "./locate.mjs";
import { restoreRemovedFields } from "./removed-fields.mjs";
import { loadAnswers, markRequiredFromAnswers } from "./required-fields.mjs";

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const ERROR_RESPONSE = ref("ErrorResponse");
const BINARY = { type: "string", format: "binary" };
const STDIO = {
  "application/vnd.docker.raw-stream": { schema: BINARY },
  "application/vnd.docker.multiplexed-stream": { schema: BINARY },
};
const TAR = { "application/x-tar": { schema: BINARY } };
const PROGRESS_STREAM = { "application/x-ndjson": { schema: ref("ProgressMessage") } };

/** Throws when a patch finds nothing to do, which means upstream changed under it. */
function expectWork(count, what) {
  if (count === 0) throw new Error(`spec drift: ${what} — nothing left to patch`);
}

/** Adds a property, refusing if upstream already has it (then the patch should go). */
function addProperty(target, name, value) {
  target.properties ??= {};
  if (name in target.properties) throw new Error(`spec drift: property ${name} already exists upstream`);
  target.properties[name] = value;
}

/** Gives a response a body, refusing when the spec already declares one. */
function setBody(res, content) {
  if (res.content) throw new Error(`spec drift: response already has content ${Object.keys(res.content)}`);
  res.content = structuredClone(content);
}

/** Replaces a schema that only names a Go type (x-go-type) with a reference to our schema. */
function replaceGoType(node, goType, target) {
  if (node["x-go-type"]?.type !== goType || "type" in node || "$ref" in node) {
    throw new Error(`spec drift: expected a bare x-go-type ${goType}, found ${JSON.stringify(node)}`);
  }
  for (const key of Object.keys(node)) delete node[key];
  Object.assign(node, ref(target));
}

/** One correction to the upstream spec. */
export const PATCHES = [
  {
    id: "allof-example-holders",
    reason: "Some bodies wrap their schema in allOf with an empty object that only carries an example; it adds no fields.",
    apply(doc) {
      let count = 0;
      for (const { op } of operations(doc)) {
        const body = op.requestBody?.content?.["application/json"];
        const parts = body?.schema?.allOf;
        if (!parts || parts.length !== 2) continue;
        const [spec, holder] = parts;
        if (!spec.$ref || holder.type !== "object" || holder.properties || holder.allOf) continue;
        body.schema = spec;
        count++;
      }
      expectWork(count, "no request body wraps its schema in an example-only allOf");
    },
  },
  {
    id: "drop-text-plain-copies",
    reason: "Global produces/consumes add a text/plain twin to JSON bodies; the daemon only speaks JSON there.",
    apply(doc) {
      let count = 0;
      for (const { op } of operations(doc)) {
        const contents = [op.requestBody?.content, ...Object.values(op.responses).map((r) => r.content)];
        for (const content of contents) {
          if (content?.["application/json"] && content["text/plain"]
            && JSON.stringify(content["application/json"]) === JSON.stringify(content["text/plain"])) {
            delete content["text/plain"];
            count++;
          }
        }
      }
      expectWork(count, "no JSON body with a text/plain twin");
    },
  },
  {
    id: "errors-are-json",
    reason: "Error bodies are always a JSON ErrorResponse, but the spec files them under each operation's success media types.",
    apply(doc) {
      let count = 0;
      for (const { op } of operations(doc)) {
        for (const [status, res] of Object.entries(op.responses)) {
          if (Number(status) < 400 || !res.content) continue;
          for (const [type, media] of Object.entries(res.content)) {
            // Media entries without a schema only carry an example; they are replaced as well.
            if (media.schema && media.schema.$ref !== ERROR_RESPONSE.$ref) {
              throw new Error(`spec drift: ${op.operationId} ${status} ${type} is not an ErrorResponse`);
            }
          }
          res.content = { "application/json": { schema: { ...ERROR_RESPONSE } } };
          count++;
        }
      }
      expectWork(count, "no error responses");
    },
  },
  {
    id: "stats-json-lines",
    reason: "Container stats stream one JSON object per line unless stream=false.",
    apply(doc) {
      const content = at(response(doc, "ContainerStats", 200), "content");
      const json = at(content, "application/json");
      if (content["application/x-ndjson"]) throw new Error("spec drift: stats already declares x-ndjson");
      content["application/x-ndjson"] = structuredClone(json);
    },
  },
  {
    id: "progress-detail-fields",
    reason: "Progress details also carry start, hidecounts and units, which the spec omits.",
    apply(doc) {
      const detail = schema(doc, "ProgressDetail");
      addProperty(detail, "start", { type: "integer", format: "int64" });
      addProperty(detail, "hidecounts", { type: "boolean" });
      addProperty(detail, "units", { type: "string" });
    },
  },
  {
    id: "progress-streams",
    reason: "Pull/import, push, build, load and plugin pull/upgrade/push answer with untyped JSON-lines progress messages.",
    apply(doc) {
      if (doc.components.schemas.ProgressMessage) throw new Error("spec drift: ProgressMessage already exists");
      doc.components.schemas.ProgressMessage = {
        type: "object",
        properties: {
          id: { type: "string" },
          status: { type: "string" },
          progress: { type: "string" },
          progressDetail: ref("ProgressDetail"),
          stream: { type: "string" },
          error: { type: "string" },
          errorDetail: ref("ErrorDetail"),
          // Out-of-band payload: built image ID, pushed digest, BuildKit trace; shape varies.
          aux: {},
          time: { type: "integer", format: "int64" },
          timeNano: { type: "integer", format: "int64" },
        },
      };
      for (const id of ["ImageCreate", "ImagePush", "ImageBuild", "ImageLoad", "PluginPush"]) {
        setBody(response(doc, id, 200), PROGRESS_STREAM);
      }
      // The spec says 204, but the daemon streams progress with 200 for plugin pull/upgrade.
      for (const id of ["PluginPull", "PluginUpgrade"]) {
        const responses = operation(doc, id).responses;
        const noContent = at(responses, "204");
        delete responses["204"];
        responses["200"] = { ...noContent, content: structuredClone(PROGRESS_STREAM) };
      }
    },
  },
  {
    id: "import-body-is-binary",
    reason: "Image import (fromSrc=-) uploads a tar archive, but the body is typed as text.",
    apply(doc) {
      const body = at(operation(doc, "ImageCreate"), "requestBody");
      for (const media of Object.values(at(body, "content"))) {
        if (media.schema?.type !== "string" || media.schema.format) {
          throw new Error("spec drift: ImageCreate body is no longer a plain string");
        }
      }
      body.content = { "application/x-tar": { schema: BINARY }, "application/octet-stream": { schema: BINARY } };
    },
  },
  {
    id: "binary-responses",
    reason: "Export, archive download, attach and exec start return byte streams but declare no body.",
    apply(doc) {
      setBody(response(doc, "ContainerExport", 200), TAR);
      setBody(response(doc, "ContainerArchive", 200), TAR);
      setBody(response(doc, "ContainerAttach", 200), STDIO);
      setBody(response(doc, "ContainerAttach", 101), STDIO);
      setBody(response(doc, "ExecStart", 200), STDIO);
    },
  },
  {
    id: "connection-upgrades",
    reason: "Which operations hijack the connection, and into what protocol, is only stated in prose.",
    apply(doc) {
      const upgrades = { ContainerAttach: "tcp", ExecStart: "tcp", ContainerAttachWebsocket: "websocket", Session: "h2c" };
      for (const [id, protocol] of Object.entries(upgrades)) operation(doc, id)["x-dockhand-upgrade"] = protocol;
      // Exec start switches protocols exactly like attach when asked to upgrade.
      const exec = operation(doc, "ExecStart").responses;
      if (exec["101"]) throw new Error("spec drift: ExecStart already declares 101");
      exec["101"] = { content: structuredClone(STDIO) };
    },
  },
  {
    id: "build-cancel",
    reason:
      "POST /build/cancel?id= stops the build started with that buildid (moby's build router, in 20.10 and 28.5 alike; the CLI sends it when a build is interrupted); the spec never lists it.",
    apply(doc) {
      if (doc.paths["/build/cancel"]) throw new Error("spec drift: /build/cancel is documented now");
      doc.paths["/build/cancel"] = {
        post: {
          operationId: "BuildCancel",
          tags: ["Image"],
          "x-dockhand-since": "floor",
          parameters: [{ name: "id", in: "query", required: true, schema: { type: "string" }, "x-dockhand-since": "floor" }],
          responses: {
            200: { description: "no error" },
            500: { description: "server error", content: { "application/json": { schema: ERROR_RESPONSE } } },
          },
        },
      };
    },
  },
  {
    id: "container-logs-details",
    reason: "Container logs accept details=1 (extra log attributes) like service and task logs, but the spec omits it.",
    apply(doc) {
      const params = at(operation(doc, "ContainerLogs"), "parameters");
      if (params.some((p) => p.in === "query" && p.name === "details")) {
        throw new Error("spec drift: ContainerLogs already has details");
      }
      // Accepted by every daemon this client supports, hence dated to the oldest spec.
      params.push({ name: "details", in: "query", schema: { type: "boolean", default: false }, "x-dockhand-since": "floor" });
    },
  },
  {
    id: "nullable-go-collections",
    reason: "Go slices, maps and pointers without omitempty are sent as null when unset (seen on 20.10 and in current moby types).",
    apply(doc) {
      const fields = [
        ["Volume", "Labels"], ["Volume", "Options"], ["VolumeListResponse", "Warnings"],
        ["ImageSummary", "RepoTags"], ["ImageSummary", "RepoDigests"], ["ImageSummary", "Labels"],
        ["IPAM", "Config"], ["IPAM", "Options"], ["NetworkInspect", "Containers"],
        ["ContainerSummary", "Mounts"], ["ContainerInspectResponse", "Mounts"], ["DriverData", "Data"],
        ["ContainerConfig", "Cmd"], ["ContainerConfig", "Entrypoint"], ["ContainerConfig", "Env"],
        ["ContainerConfig", "Volumes"], ["EndpointSettings", "Links"], ["EndpointSettings", "Aliases"],
        ["HostConfig", "Binds"], ["HostConfig", "VolumesFrom"], ["HostConfig", "CapAdd"],
        ["HostConfig", "CapDrop"], ["HostConfig", "ExtraHosts"], ["HostConfig", "GroupAdd"],
        ["HostConfig", "Links"], ["HostConfig", "SecurityOpt"], ["Resources", "DeviceCgroupRules"],
        ["Resources", "DeviceRequests"], ["Resources", "MemorySwappiness"],
        ["ImageConfig", "Cmd"], ["ImageConfig", "Entrypoint"], ["ImageConfig", "Env"], ["ImageConfig", "Volumes"],
        ["SystemInfo", "DriverStatus"], ["SystemInfo", "Warnings"],
        ["PluginsInfo", "Authorization"],
        ["GenericResources"], // a shared list schema (SystemInfo, tasks, service resources)
      ];
      for (const [owner, field] of fields) {
        const node = field ? property(doc, owner, field) : schema(doc, owner);
        const label = field ? `${owner}.${field}` : owner;
        if (node.nullable === true) throw new Error(`spec drift: ${label} is already nullable`);
        if ("$ref" in node) throw new Error(`spec drift: ${label} became a $ref; mark the target instead`);
        node.nullable = true;
      }
    },
  },
  {
    id: "go-type-elements",
    reason: "Some element types are named only by x-go-type, which leaves them untyped once vendor keys are stripped.",
    apply(doc) {
      replaceGoType(property(doc, "ImagesDiskUsage", "Items.[]"), "Summary", "ImageSummary");
      replaceGoType(property(doc, "ContainersDiskUsage", "Items.[]"), "Summary", "ContainerSummary");
      replaceGoType(property(doc, "VolumesDiskUsage", "Items.[]"), "Volume", "Volume");
      replaceGoType(property(doc, "BuildCacheDiskUsage", "Items.[]"), "CacheRecord", "BuildCache");
      replaceGoType(property(doc, "NetworkInspect", "Services.*"), "ServiceInfo", "ServiceInfo");
    },
  },
  {
    id: "free-form-objects",
    reason: "A bare `type: object` renders as an empty record; these hold arbitrary driver data, string maps or in-toto JSON.",
    apply(doc) {
      // Prose and nullability may sit beside `type`; anything else means upstream gave it a shape.
      const expectBare = (node, label) => {
        const shape = Object.keys(node).filter((key) => !/^(type|nullable|description|example|title|x-.*)$/.test(key));
        if (node.type !== "object" || shape.length > 0) throw new Error(`spec drift: ${label} is no longer a bare object`);
      };
      const status = property(doc, "Volume", "Status");
      expectBare(status.additionalProperties, "Volume.Status values");
      status.additionalProperties = {};
      const details = property(doc, "SystemVersion", "Components.[].Details");
      expectBare(details, "SystemVersion.Components[].Details");
      details.additionalProperties = { type: "string" };
      const statement = property(doc, "AttestationStatement", "Statement");
      expectBare(statement, "AttestationStatement.Statement");
      statement.additionalProperties = {};
    },
  },
  {
    id: "cluster-volume-access-types",
    reason: "Cluster volume access types are Go structs (mount: FsType/MountFlags; block: empty) the spec leaves bare or omits.",
    apply(doc) {
      const access = property(doc, "ClusterVolumeSpec", "AccessMode");
      const mount = property(doc, "ClusterVolumeSpec", "AccessMode.MountVolume");
      if (mount.properties) throw new Error("spec drift: MountVolume already has properties");
      mount.properties = { FsType: { type: "string" }, MountFlags: { type: "array", items: { type: "string" } } };
      addProperty(access, "BlockVolume", { type: "object" });
    },
  },
  {
    id: "update-rollback-states",
    reason: "Service update state also reports rollback_started, rollback_paused and rollback_completed.",
    apply(doc) {
      const state = property(doc, "Service", "UpdateStatus.State");
      const extra = ["rollback_started", "rollback_paused", "rollback_completed"];
      if (extra.some((value) => at(state, "enum").includes(value))) throw new Error("spec drift: rollback states already listed");
      state.enum.push(...extra);
    },
  },
  {
    id: "open-log-driver-names",
    reason: "Log driver names are open-ended: gcplogs, logentries and any installed logging plugin are valid.",
    apply(doc) {
      const type = property(doc, "HostConfig", "LogConfig.Type");
      at(type, "enum");
      delete type.enum;
    },
  },
  {
    id: "auth-config-tokens",
    reason: "Registry credentials may be a pre-encoded auth string or identity/registry tokens, which the spec omits.",
    apply(doc) {
      const auth = schema(doc, "AuthConfig");
      addProperty(auth, "auth", { type: "string" });
      addProperty(auth, "identitytoken", { type: "string" });
      addProperty(auth, "registrytoken", { type: "string" });
    },
  },
  {
    id: "legacy-disk-usage",
    reason: "Daemons below API 1.53 answer /system/df with the flat legacy fields that 1.55 no longer lists.",
    apply(doc) {
      const body = at(response(doc, "SystemDataUsage", 200), "content", "application/json", "schema");
      addProperty(body, "LayersSize", { type: "integer", format: "int64" });
      addProperty(body, "Images", { type: "array", items: ref("ImageSummary") });
      addProperty(body, "Containers", { type: "array", items: ref("ContainerSummary") });
      addProperty(body, "Volumes", { type: "array", items: ref("Volume") });
      addProperty(body, "BuildCache", { type: "array", items: ref("BuildCache"), nullable: true });
    },
  },
  {
    id: "archive-path-stat",
    reason: "The X-Docker-Container-Path-Stat header is base64 JSON of a path stat described only in prose.",
    apply(doc) {
      at(response(doc, "ContainerArchiveInfo", 200), "headers", "X-Docker-Container-Path-Stat");
      if (doc.components.schemas.PathStat) throw new Error("spec drift: PathStat already exists");
      doc.components.schemas.PathStat = {
        type: "object",
        required: ["name", "size", "mode", "mtime", "linkTarget"],
        properties: {
          name: { type: "string" },
          size: { type: "integer", format: "int64" },
          mode: { type: "integer", format: "uint32" },
          mtime: { type: "string", format: "date-time" },
          linkTarget: { type: "string" },
        },
      };
    },
  },
  {
    id: "swarm-create-id",
    reason: "Secret and config creation answer { \"ID\": … } (moby's SecretCreateResponse/ConfigCreateResponse), not IDResponse's Id.",
    apply(doc) {
      for (const id of ["SecretCreate", "ConfigCreate"]) {
        const media = at(response(doc, id, 201), "content", "application/json");
        if (media.schema?.$ref !== ref("IDResponse").$ref) {
          throw new Error(`spec drift: ${id} 201 is no longer IDResponse (${JSON.stringify(media.schema)})`);
        }
        media.schema = { type: "object", required: ["ID"], properties: { ID: { type: "string" } } };
      }
    },
  },
  {
    id: "log-time-text",
    reason: "Log since/until are parsed as Go's seconds.nanoseconds text (timetypes.ParseTimestamps), which the CLI sends; whole seconds still work.",
    apply(doc) {
      for (const id of ["ContainerLogs", "ServiceLogs", "TaskLogs"]) {
        for (const param of at(operation(doc, id), "parameters")) {
          if (param.in !== "query" || (param.name !== "since" && param.name !== "until")) continue;
          if (param.schema?.type !== "integer") throw new Error(`spec drift: ${id} ${param.name} is no longer an integer`);
          param.schema = { oneOf: [{ type: "integer" }, { type: "string", pattern: "^[0-9]+(\\.[0-9]{1,9})?$" }] };
        }
      }
    },
  },
  {
    id: "commit-changes-list",
    reason: "The daemon reads every `changes` value (r.Form[\"changes\"]), one Dockerfile instruction each; the CLI repeats the key.",
    apply(doc) {
      for (const id of ["ImageCommit"]) {
        const param = at(operation(doc, id), "parameters").find((p) => p.in === "query" && p.name === "changes");
        if (!param) throw new Error(`spec drift: ${id} has no changes parameter`);
        if (param.schema?.type === "array") throw new Error(`spec drift: ${id} changes is already a list`);
        param.schema = { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
      }
    },
  },
  {
    id: "name-inline-results",
    reason: "Results the spec shapes inline get a component schema of their own, so each has a public name.",
    apply(doc) {
      const schemas = doc.components.schemas;
      let count = 0;
      for (const { op } of operations(doc)) {
        for (const status of ["200", "201"]) {
          const media = op.responses[status]?.content?.["application/json"];
          if (!media?.schema || media.schema.$ref) continue;
          // The spec's title names most of them (ContainerPruneResponse); the rest take the operation's name.
          const name = media.schema.title ?? `${op.operationId}Response`;
          const holder = media.schema.type === "array" ? media.schema.items : undefined;
          const [target, slot, key] = holder ? [holder, media.schema, "items"] : [media.schema, media, "schema"];
          if (target.$ref || target.type !== "object") continue;
          const named = holder ? `${name}Item` : name;
          if (named in schemas) throw new Error(`spec drift: a schema ${named} already exists`);
          schemas[named] = target;
          slot[key] = ref(named);
          count++;
        }
      }
      expectWork(count, "no JSON result is shaped inline");
    },
  },
  {
    // After the patches that name inline results, before removed-fields (whose fields stay optional).
    id: "required-from-answers",
    reason:
      "The spec leaves most result fields optional; a field dockerd 20.10, 28.5 and podman 4.3 all send in every recorded answer (test/fixtures/answers) is required, unless an older API version's spec lacks it.",
    apply(doc, { history }) {
      const changes = markRequiredFromAnswers(doc, loadAnswers(), history);
      expectWork(changes.length, "every answered schema already has the required list the answers show");
    },
  },
  {
    // Last, so it also sees fields the patches above add or move.
    id: "removed-fields",
    reason: "Older engines still send fields later specs dropped; they come back optional and deprecated.",
    apply(doc, { history, targetVersion }) {
      const restored = restoreRemovedFields(doc, history, targetVersion);
      expectWork(restored.length, "no older spec lists a field the target dropped (are the older specs beside it?)");
    },
  },
];

/**
 * Applies every patch in order to `doc` (mutated); a failing patch names itself. `context` holds
 * what some patches read besides the document: `history` (loaded specs, oldest first) and
 * `targetVersion`.
 */
export function applyPatches(doc, context, patches = PATCHES) {
  for (const patch of patches) {
    try {
      patch.apply(doc, context);
    } catch (error) {
      throw new Error(`patch ${patch.id} failed: ${error instanceof Error ? error.message : error}`, { cause: error });
    }
  }
  return doc;
}
