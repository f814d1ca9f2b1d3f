// The fields of a simpleNN `.config` file (github.com/cjlin1/simpleNN, MATLAB/config/*.config) and
// how many entries each holds. simpleNN reads them in cnn/train.m's init_model; the meanings and
// lengths here are the ones that function relies on.

/** How many entries a field holds, in terms of the layer counts. */
export type FieldLength = 'one' | 'LC' | 'LC+1' | 'LF';

export interface ConfigFieldInfo {
  readonly name: string;
  readonly length: FieldLength;
  /** What one entry means, for messages and hovers. */
  readonly doc: string;
}

export const CONFIG_FIELDS: readonly ConfigFieldInfo[] = [
  { name: 'L', length: 'one', doc: 'number of layers, LC + LF' },
  { name: 'LC', length: 'one', doc: 'number of convolutional layers' },
  { name: 'LF', length: 'one', doc: 'number of fully-connected layers' },
  { name: 'wd_input', length: 'one', doc: 'width of the input image' },
  { name: 'ht_input', length: 'one', doc: 'height of the input image' },
  { name: 'ch_input', length: 'LC+1', doc: 'channels of the input image, then the filters of each convolutional layer' },
  { name: 'wd_pad_added', length: 'LC', doc: 'zero-padding added around each convolutional layer\'s input' },
  { name: 'wd_filter', length: 'LC', doc: 'filter width (and height) of each convolutional layer' },
  { name: 'strides', length: 'LC', doc: 'stride of each convolutional layer' },
  { name: 'wd_subimage_pool', length: 'LC', doc: 'max-pooling window (= its stride) after each convolutional layer; 1 = no pooling' },
  { name: 'full_neurons', length: 'LF', doc: 'neurons of each fully-connected layer; the last is the number of classes' },
];

export type ConfigFieldName = 'L' | 'LC' | 'LF' | 'wd_input' | 'ht_input' | 'ch_input' | 'wd_pad_added' | 'wd_filter' | 'strides' | 'wd_subimage_pool' | 'full_neurons';

const byName = new Map(CONFIG_FIELDS.map((f) => [f.name, f]));

export function configFieldInfo(name: string): ConfigFieldInfo | undefined {
  return byName.get(name);
}

/** "LC + 1 = 4": the expected entry count in words, given the layer counts. */
export function lengthText(length: FieldLength, counts: { LC: number; LF: number }): { expected: number; text: string } {
  switch (length) {
    case 'one': return { expected: 1, text: '1' };
    case 'LC': return { expected: counts.LC, text: `LC = ${counts.LC}` };
    case 'LC+1': return { expected: counts.LC + 1, text: `LC + 1 = ${counts.LC + 1}` };
    case 'LF': return { expected: counts.LF, text: `LF = ${counts.LF}` };
  }
}
