// The Node side of `data=mat:TRAIN[,TEST]`: reads the MAT-files within the data budget and hands
// them to the simpleNN data-set builder.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileError, statFile } from '../bounded-read';
import type { DataBudget } from '../budget';
import type { Dataset } from '../dataset';
import { parseMatFile } from './mat-file';
import { matDataset, matExamples, type MatExamples } from './simplenn-data';

export async function loadMatFiles(trainPath: string, testPath: string | undefined, seed: number, budget: DataBudget,
  shape?: readonly [number, number, number]): Promise<Dataset> {
  const train = await readMatExamples(trainPath, budget);
  const test = testPath === undefined ? undefined : await readMatExamples(testPath, budget);
  for (const part of test ? [train, test] : [train]) {
    // The float32 images and label bytes matDataset will make.
    budget.reserve(part.Z.data.length * 4 + part.y.data.length, part.file, 'holding its examples as float32');
  }
  return matDataset(train, test, basename(trainPath).replace(/\.mat$/i, ''), seed, shape);
}

async function readMatExamples(path: string, budget: DataBudget): Promise<MatExamples> {
  budget.reserve((await statFile(path)).size, path, 'the file');
  const bytes = await readFile(path).catch((e: unknown) => { throw fileError(path, e); });
  return matExamples(parseMatFile(bytes, path, budget), path);
}
