/**
 * Records keyed by ids from the network. Ids may be any of `[A-Za-z0-9._-]`,
 * so `__proto__`, `constructor` and `toString` are valid agent and issue ids:
 * a plain object would read them as its own members (`agents.constructor` is
 * `Object`) or, for `__proto__`, replace its prototype on write. These records
 * have no prototype, so an id is only ever a key.
 */
export type IdRecord<T> = Record<string, T>;

export function emptyRecord<T>(): IdRecord<T> {
  return Object.create(null) as IdRecord<T>;
}

/** A prototype-less copy (`{...record}` would give the copy Object.prototype back). */
export function copyRecord<T>(record: Readonly<IdRecord<T>>): IdRecord<T> {
  return Object.assign(emptyRecord<T>(), record);
}

/** The record's entry for an id, never an inherited member, whatever object it is given. */
export function own<T>(record: Readonly<IdRecord<T>>, id: string): T | undefined {
  return Object.hasOwn(record, id) ? record[id] : undefined;
}
