/**
 * Runs the flow in this process, without a Baton server:
 *
 *   cd examples/ml-pipeline && npx tsx run-local.ts
 *
 * With no Baton profile (this machine never ran `baton login`) the SDK runs flows locally and logs
 * to the console; parameters left out take the defaults of the flow's schema.
 */
import { trainTaxiModel } from "./flows/train";

const result = await trainTaxiModel({});
console.log(result);
