"""The pytorch-cpu contestant of `convlab bench` (src/cli/bench/pytorch.ts runs it).

Trains the workload's model (LeNet-5 or the CIFAR-shaped 3-block net) with SGD + momentum on the
batches the bench wrote to a file, one thread as ConvLab's CPU engine, and prints one JSON object:
images/s of each timed training round and inference batch, and the mean loss of each timed round.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def model(name):
    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    blocks = []
    for c_in, c_out in ((3, 32), (32, 64), (64, 128)):
        blocks += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*blocks, nn.Flatten(), nn.Linear(128 * 4 * 4, 10))


def main():
    args = json.loads(sys.argv[1])
    torch.set_num_threads(args.get("threads", 1))  # ConvLab's CPU engine's thread count
    torch.manual_seed(1)
    c, h, w = args["shape"]
    batch, steps = args["batch"], args["steps"]
    images = np.fromfile(args["images"], dtype=np.float32).reshape(steps, batch, c, h, w)
    labels = np.fromfile(args["labels"], dtype=np.uint8).reshape(steps, batch).astype(np.int64)
    net = model(args["workload"])
    opt = torch.optim.SGD(net.parameters(), lr=args["lr"], momentum=args["momentum"])
    loss_fn = nn.CrossEntropyLoss()
    train, losses = [], []
    for r in range(args["warmup"] + args["reps"]):
        t0 = time.perf_counter()
        total = 0.0
        for s in range(steps):
            x, y = torch.from_numpy(images[s]), torch.from_numpy(labels[s])
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            total += loss.item()
        if r >= args["warmup"]:
            train.append(batch * steps / (time.perf_counter() - t0))
            losses.append(total / steps)
    x = torch.rand(args["infer_batch"], c, h, w, generator=torch.Generator().manual_seed(2))
    infer = []
    with torch.no_grad():
        for r in range(args["warmup"] + args["reps"]):
            t0 = time.perf_counter()
            torch.softmax(net(x), dim=1)
            if r >= args["warmup"]:
                infer.append(args["infer_batch"] / (time.perf_counter() - t0))
    print(json.dumps({"train": train, "infer": infer, "losses": losses, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
