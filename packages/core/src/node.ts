export { fileSource } from './file-source';
export type { FileSourceOptions } from './file-source';
