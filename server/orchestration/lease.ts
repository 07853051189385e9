export { LEASE_SECONDS } from "../../agent/protocol/leases";
