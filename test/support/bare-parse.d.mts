/** See bare-parse.mjs: a bare chunked JSON.parse of an NDJSON file; resolves to the lines parsed. */
export function bareChunkedParse(path: string): Promise<number>;
