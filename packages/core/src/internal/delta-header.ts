/**
 * The request header with which a stream client declares that it applies `patch` events
 * (`X-Halyard-Stream: delta`), on the flag service's definitions stream and on the flags endpoint's snapshot
 * stream. A header rather than a query parameter: stream URLs stay as the application configured them, and a
 * server that does not know it sends whole documents, which every client still reads. (Stream requests already
 * carry non-safelisted headers such as `Last-Event-ID`, so a cross-origin stream needs no new preflight rule.)
 */
export const DELTA_HEADER = 'x-halyard-stream';
export const DELTA_VALUE = 'delta';
