// The browser-safe part of data loading: types, pure parsers and helpers. The Node file layer
// (node-files.ts) is deliberately not re-exported, so the webview can import this module.

export * from './dataset';
export { DataError } from './errors';
export { parseIdx, idxImages, idxLabels, idxSplit, idxDataset, type IdxArray, type IdxFiles, type NamedBytes } from './idx';
export {
  parseCifar10Batch, parseCifar10ClassNames, copyCifar10Records, cifar10RecordCount,
  CIFAR10_SHAPE, CIFAR10_CLASSES, CIFAR10_IMAGE_BYTES, CIFAR10_RECORD_BYTES,
} from './cifar10';
export {
  parseLibsvm, LibsvmReader, libsvmDataset, libsvmTables, libsvmShape, libsvmClassLabels, densifyLibsvm,
  LIBSVM_HOLDOUT, MAX_CLASSES, type LibsvmSparse, type LibsvmTable,
} from './libsvm';
export { describeDataset, datasetName, datasetTransferables } from './describe';
export { takeExamples, seededSplit } from './split';
export { DataBudget, DEFAULT_MAX_DATA_BYTES } from './budget';
export { labelOutOfRange } from './labels';
