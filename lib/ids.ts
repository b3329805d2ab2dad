const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID: ids that are not cannot name anything, and must not reach a uuid column. */
export const isUuid = (value: string): boolean => UUID.test(value);
