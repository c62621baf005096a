import { halyardProject } from '../../vitest.shared.ts';

export default halyardProject('stats');
