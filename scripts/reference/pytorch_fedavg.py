#!/usr/bin/env python3
"""Replays an `agentfl simulate` run in plain PyTorch, as a reference for its accuracy.

Reads the run's `results.json` (settings and each round's selected clients) and
`partition.json` (written with `--save-partition`), then runs FedAvg over exactly the same
split and client draws: sample-weighted averaging, E local epochs of shuffled mini-batches,
plain SGD, PyTorch's own shuffling, and the run's initialization scheme drawn by PyTorch
(`he`: kaiming_uniform_ with the ReLU gain and zero biases; `pytorch`: PyTorch's default). Fashion-MNIST is read from Debian's
location and standardized as agentfl does ((x/255 − 0.2860) / 0.3530).

Benchmark-only: needs torch (`pip install "torch==2.13.0+cpu"`), never a test dependency.

    agentfl simulate --model cnn --seed 1 --save-partition --out out/cnn-1
    python3 scripts/reference/pytorch_fedavg.py out/cnn-1 [--seed 1]
"""
import argparse, gzip, json, os, struct, time

import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load(directory, stem):
    def path(name):
        p = os.path.join(directory, name)
        return p + ".gz" if os.path.exists(p + ".gz") else p
    images = read_idx(path(f"{stem}-images-idx3-ubyte")).float().div(255).sub(0.2860).div(0.3530)
    labels = read_idx(path(f"{stem}-labels-idx1-ubyte")).long()
    return images.unsqueeze(1), labels


def make(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 200), nn.ReLU(), nn.Linear(200, 10))
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, 10))
    raise SystemExit(f"model {name} is not replayed by this script")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="directory with results.json and partition.json")
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--seed", type=int, default=1, help="PyTorch's seed (initialisation, shuffling)")
    parser.add_argument("--init", choices=["he", "pytorch"], help="weight initialization (default: the run's)")
    args = parser.parse_args()
    with open(os.path.join(args.run, "results.json")) as f:
        results = json.load(f)
    with open(os.path.join(args.run, "partition.json")) as f:
        partition = json.load(f)["clients"]
    config = results["config"]
    if config["dataset"] != "fashion-mnist" or config["optimizer"] != "sgd" or config["momentum"] or config["mu"]:
        raise SystemExit("this replay covers Fashion-MNIST with plain SGD only")
    torch.manual_seed(args.seed)
    x, y = load(args.data_dir, "train")
    tx, ty = load(args.data_dir, "t10k")
    model = make(config["model"])
    if (args.init or config.get("init", "pytorch")) == "he":
        for layer in model.modules():
            if isinstance(layer, (nn.Linear, nn.Conv2d)):
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)
    batch, lr, epochs = config["batch"], config["lr"], config["local_epochs"]
    for r in results["rounds"]:
        start = time.perf_counter()
        global_state = {k: v.clone() for k, v in model.state_dict().items()}
        summed, total = None, 0
        for client in r["selected"]:
            model.load_state_dict(global_state)
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            indices = torch.tensor(partition[client], dtype=torch.long)
            for _ in range(epochs):
                order = indices[torch.randperm(len(indices))]
                for i in range(0, len(order), batch):
                    idx = order[i:i + batch]
                    optimizer.zero_grad()
                    nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
                    optimizer.step()
            n = len(indices)
            state = model.state_dict()
            summed = {k: v * n for k, v in state.items()} if summed is None else {k: summed[k] + state[k] * n for k in state}
            total += n
        model.load_state_dict({k: v / total for k, v in summed.items()})
        with torch.no_grad():
            correct = sum((model(tx[i:i + 1000]).argmax(1) == ty[i:i + 1000]).sum().item() for i in range(0, len(ty), 1000))
        print(f"round {r['round']:3d}  torch acc {correct / len(ty):.4f}  agentfl acc {r['test_accuracy']:.4f}  "
              f"{time.perf_counter() - start:.2f} s", flush=True)


if __name__ == "__main__":
    main()
