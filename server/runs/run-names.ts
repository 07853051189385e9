import { randomInt } from "node:crypto";

const ADJECTIVES = ["amber", "brisk", "calm", "daring", "eager", "fuzzy", "gentle", "hardy", "icy", "jolly", "keen", "lucky", "mellow", "nimble", "olive", "proud", "quiet", "rapid", "sunny", "tidy", "upbeat", "vivid", "witty", "young", "zesty", "bold", "crisp", "dusky", "fancy", "glossy", "humble", "ivory"];
const ANIMALS = ["otter", "heron", "lynx", "panda", "falcon", "badger", "gecko", "marten", "ibis", "koala", "lemur", "moose", "newt", "orca", "puffin", "quail", "raven", "seal", "tapir", "urchin", "vole", "walrus", "yak", "zebra", "bison", "crane", "dingo", "egret", "ferret", "gibbon", "hare", "jackal"];

/** A friendly, memorable run name such as "brisk-otter". Not unique; ids are. */
export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${ANIMALS[randomInt(ANIMALS.length)]}`;
}
