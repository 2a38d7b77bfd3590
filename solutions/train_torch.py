"""Reference for `train_torch`."""
import torch
from torch import nn


class Standardize(nn.Module):
    """Subtracts the training mean and divides by the training standard deviation."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std


def train_classifier(X, y, num_classes, seed):
    """A two-hidden-layer MLP trained with Adam on minibatches of the cross-entropy loss."""
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.long)
    n, d = X.shape
    model = nn.Sequential(
        Standardize(X.mean(dim=0), X.std(dim=0) + 1e-6),
        nn.Linear(d, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, num_classes),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    batch_size = 64
    model.train()
    for _ in range(30):
        order = torch.randperm(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    return model
