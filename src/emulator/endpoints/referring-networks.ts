// POST /v3/backlinks/referring_networks/live: one row per referring IP, or per /24 subnet
// (network_address_type "subnet", written "a.b.c.0/24").
import { aggregateListEndpoint } from "./aggregate-list.js";

export const referringNetworksEndpoint = aggregateListEndpoint({
  fn: "referring_networks",
  typeName: "backlinks_referring_network",
  keyField: "network_address",
  groupKey: (p) => (p.network_address_type === "subnet" ? (l) => `${l.subnet}.0/24` : (l) => l.domain_from_ip),
  defaultOrder: [{ field: "backlinks", desc: true }],
});
