// One image build through dockhand on the real engine (`builder`: "buildkit" or "classic"),
// reporting what the session sent of the context (BuildKit's `transfer`). The process exits by
// itself (the figure times spawn → exit): a session left open would show as a hang.
import { loadClient } from "../lib/clients.mjs";
import { report, workerArgs } from "../lib/proc.mjs";

const { host, context, builder, tag } = workerArgs();
const { open } = await loadClient("dockhand");
const api = await open({ host });
const result = await api.build({ context, builder, tags: [tag] });
await api.close();
report(result);
