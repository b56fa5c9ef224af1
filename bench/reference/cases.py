"""Reference implementations of HumanAlign's benchmark cases, in NumPy (CPU) or PyTorch (--torch, on CUDA).

Usage: python3 cases.py CASE SIZE REPEATS [--torch]
Prints one JSON object: the implementation, per-run milliseconds, peak RSS and a checksum of the result.
Inputs are generated exactly as src-main/bench/inputs.ts does, so the checksums of both sides must agree.
"""
import itertools
import json
import resource
import sys
import time

import numpy as np


def inputs_matrix(rows, cols, phase):
    i = np.arange(rows * cols, dtype=np.float64)
    return (np.sin(i * 0.001 + phase) + np.cos(i * 0.0007)).astype(np.float32).reshape(rows, cols)


def inputs_triplets(count, n):
    i = np.arange(count, dtype=np.int64)
    return np.stack([(i * 7919) % n, (i * 104729 + 1) % n, (i * 1299709 + 2) % n], axis=1).astype(np.int32)


FILE_COLUMNS = 1152


def write_file(kind, rows, cols, path):
    """The file of a file-reading case, as users have them: features by np.savez (stored), pickle.dump or torch.save;
    triplets as THINGS' trainset.txt (a line of three object indices each)."""
    import os
    partial = f'{path}.{os.getpid()}.partial'
    if kind == 'txt':
        np.savetxt(partial, inputs_triplets(rows, 1854), fmt='%d')
        os.replace(partial, path)
        return
    x = inputs_matrix(rows, cols, 0.0)
    if kind == 'npz':
        with open(partial, 'wb') as f:
            np.savez(f, features=x)
    elif kind == 'pkl':
        import pickle
        with open(partial, 'wb') as f:
            pickle.dump({'features': x, 'names': [f'object {i}' for i in range(rows)]}, f)
    else:
        import torch
        torch.save({'features': torch.from_numpy(x)}, partial)
    os.replace(partial, path)


def bench_file(kind, rows):
    """The file both sides read (src-main/bench/cases.ts names it the same way); written when missing."""
    import os
    import tempfile
    name = f'{rows}-triplets.txt' if kind == 'txt' else f'{rows}x{FILE_COLUMNS}.{kind}'
    path = os.path.join(tempfile.gettempdir(), f'humanalign-bench-{name}')
    if not os.path.exists(path):
        write_file(kind, rows, FILE_COLUMNS, path)
    return path


def numpy_cases(case, size):
    if case == 'matmul':
        a, b = inputs_matrix(size, size, 0.0), inputs_matrix(size, size, 1.0)
        return lambda: a @ b
    if case == 'cosine':
        x = inputs_matrix(size, 768 if size > 256 else 64, 0.0)
        def run():
            y = x / np.linalg.norm(x, axis=1, keepdims=True)
            return y @ y.T
        return run
    if case == 'rdm':
        x = inputs_matrix(size, 768 if size > 256 else 64, 0.0)
        return lambda: 1 - np.corrcoef(x.astype(np.float64))
    if case == 'gather':
        n = 1854
        s = inputs_matrix(n, n, 0.0)
        t = inputs_triplets(size, n)
        return lambda: np.stack([s[t[:, 0], t[:, 1]], s[t[:, 0], t[:, 2]], s[t[:, 1], t[:, 2]]], axis=1)
    if case == 'oddoneout':
        n = 1854
        x = inputs_matrix(n, 768 if size > 100000 else 64, 0.0)
        t = inputs_triplets(size, n)
        def run():
            s = x @ x.T
            pairs = np.stack([s[t[:, 0], t[:, 1]], s[t[:, 0], t[:, 2]], s[t[:, 1], t[:, 2]]], axis=1)
            return np.argmax(pairs, axis=1).astype(np.float32)
        return run
    if case == 'rsaboot':
        from scipy.spatial.distance import pdist
        from scipy.stats import spearmanr
        n = 1854
        a = squareform_full(pdist(inputs_matrix(n, 16, 0.0).astype(np.float64), 'euclidean'), n)
        b = squareform_full(pdist(inputs_matrix(n, 16, 1.0).astype(np.float64), 'euclidean'), n)
        draws = inputs_triplets(-(-size * n // 3), n).ravel()
        def run():
            values = []
            for s in range(size):
                d = draws[s * n:(s + 1) * n]
                i, j = np.triu_indices(n, 1)
                keep = d[i] != d[j]
                values.append(spearmanr(a[d[i][keep], d[j][keep]], b[d[i][keep], d[j][keep]])[0])
            values.sort()
            return np.quantile(values, [0.025, 0.975])
        return run
    if case == 'temperature':
        # Newton's method on β = 1/τ, as ours: the slope of the negative log-likelihood and its curvature.
        from scipy.optimize import newton
        from scipy.special import softmax
        pairs = inputs_triplets(size, 1000).astype(np.float64)
        pairs[:, 0] += 150
        def slope(beta):
            p = softmax(pairs * beta, axis=1)
            return float(np.sum((p * pairs).sum(axis=1) - pairs[:, 0]))
        def curvature(beta):
            p = softmax(pairs * beta, axis=1)
            mean = (p * pairs).sum(axis=1, keepdims=True)
            return float(np.sum(p * (pairs - mean) ** 2))
        start = size / float(np.sum(pairs.max(axis=1) - pairs.min(axis=1)))
        return lambda: np.array([1 / newton(slope, start, fprime=curvature, tol=1e-14, maxiter=200)])
    if case == 'categorymeans':
        import pandas as pd
        x = inputs_matrix(size, 1280 if size > 1000 else 64, 0.0)
        concept = np.arange(size, dtype=np.int64) * 1854 // size
        return lambda: pd.DataFrame(x).groupby(concept, sort=False).mean().to_numpy()
    if case == 'rsasubjects':
        from scipy.stats import spearmanr, wilcoxon
        n = 300
        model = inputs_matrix(n, n, 0.0).astype(np.float64)
        subjects = inputs_matrix(size * n, n, 1.0).astype(np.float64).reshape(size, n, n)
        upper = np.triu_indices(n, 1)
        def run():
            x = model[upper]
            r = np.array([spearmanr(x, s[upper]).correlation for s in subjects])
            sem = np.std(r, ddof=1) / np.sqrt(len(r))
            return np.concatenate([r, [r.mean(), sem, wilcoxon(r, alternative='greater').pvalue]])
        return run
    if case == 'derive':
        n, subjects = size, 16
        raw = inputs_matrix(subjects * n, n, 0.0).astype(np.float64).reshape(subjects, n, n)
        m = (raw + raw.transpose(0, 2, 1)) / 2
        for s in range(subjects):
            np.fill_diagonal(m[s], 0)
        # Every triplet i < j < k, in our order (made outside the timed run: the reference's advantage).
        i, j, k = (a.astype(np.int64) for a in np.array(list(itertools.combinations(range(n), 3)), dtype=np.int32).T)
        def run():
            agreement = 0.0
            for start in range(0, len(i), 250_000):
                a, b, c = i[start:start + 250_000], j[start:start + 250_000], k[start:start + 250_000]
                d = np.stack([m[:, a, b], m[:, a, c], m[:, b, c]], -1)
                low = d == d.min(-1, keepdims=True)
                own = low / low.sum(-1, keepdims=True)
                votes = own.sum(0)
                majority = votes.argmax(-1)
                np.take_along_axis(votes, majority[:, None], -1)  # the majority's share, the first soft label written
                others = votes[None] - own
                tied = others >= others.max(-1, keepdims=True) - 1e-9
                agreement += ((own * tied).sum(-1) / tied.sum(-1)).sum()
            return np.array([agreement / (len(i) * subjects)])
        return run
    if case == 'cka':
        # Kornblith et al. (2019), the authors' reference code: gram_linear, center_gram, cka.
        x = inputs_matrix(size, 768 if size > 256 else 64, 0.0)
        y = inputs_matrix(size, 66, 1.0)
        def center_gram(gram):
            gram = gram.copy()
            means = np.mean(gram, 0, dtype=np.float64)
            means -= np.mean(means) / 2
            gram -= means[:, None]
            gram -= means[None, :]
            return gram
        def run():
            gx, gy = center_gram(x.dot(x.T)), center_gram(y.dot(y.T))
            hsic = gx.ravel().dot(gy.ravel())
            return np.array([hsic / (np.linalg.norm(gx) * np.linalg.norm(gy))])
        return run
    if case == 'probe':
        return probe_case(size)
    if case == 'mobilenet':
        return mobilenet_case(size)
    if case == 'saliency':
        return saliency_case(size)
    if case == 'distill':
        return distill_case(size)
    if case == 'gw':
        import ot
        c1, c2 = gw_inputs(size)
        p = ot.unif(size)
        return lambda: np.array([ot.gromov.entropic_gromov_wasserstein(c1, c2, p, p, 'square_loss', epsilon=GW_EPSILON, max_iter=1000, tol=1e-9, log=True)[1]['gw_dist']])
    if case == 'readnpz':
        path = bench_file('npz', size)
        return lambda: np.load(path)['features']
    if case == 'readtxt':
        path = bench_file('txt', size)
        return lambda: np.loadtxt(path, dtype=np.int64)
    if case == 'readpkl':
        import pickle
        path = bench_file('pkl', size)

        def load():
            with open(path, 'rb') as f:
                return pickle.load(f)['features']
        return load
    if case == 'readpt':
        import torch
        path = bench_file('pt', size)
        return lambda: torch.load(path)['features'].numpy()
    if case == 'kmeans':
        from sklearn.cluster import KMeans
        p, k = (768, 50) if size > 10000 else (32, 8)
        x = inputs_matrix(size, p, 0.0)
        return lambda: np.array([KMeans(n_clusters=k, init='k-means++', n_init=3, max_iter=300, tol=0, algorithm='lloyd', random_state=0).fit(x).inertia_])
    if case == 'pca':
        from sklearn.decomposition import PCA
        x = inputs_matrix(size, 1280 if size > 1000 else 64, 0.0)
        return lambda: np.array([PCA(n_components=2, svd_solver='full').fit(x).explained_variance_ratio_.sum()])
    if case == 'tsne':
        import inspect
        import os
        from sklearn.manifold import TSNE
        here = os.path.dirname(os.path.abspath(__file__))
        csv = os.path.join(here, '..', '..', 'resources', 'examples', 'things', 'spose_embedding66d_rescaled.csv')
        x = np.loadtxt(csv, delimiter=',', skiprows=1, usecols=range(2, 68))[:size].astype(np.float32)
        i = np.arange(size)
        start = np.column_stack([np.cos(i * 0.9), np.sin(i * 1.3)]) * 1e-4
        # scikit-learn renamed n_iter to max_iter in 1.5.
        iterations = 'max_iter' if 'max_iter' in inspect.signature(TSNE).parameters else 'n_iter'
        return lambda: np.array([TSNE(n_components=2, perplexity=30, method='exact', init=start, learning_rate='auto', random_state=0, **{iterations: 1000}).fit(x).kl_divergence_])
    raise SystemExit(f'unknown case {case}')


def mobilenet_case(images, device='cpu'):
    """torchvision's MobileNetV2 (untrained weights: the same architecture, so the same work), in batches of 16
    uploaded from host memory, to the penultimate 1280-d features back in host memory."""
    import os
    import torch
    import torchvision
    torch.set_num_threads(os.cpu_count())
    model = torchvision.models.mobilenet_v2(weights=None).eval().to(device)
    pixels = torch.from_numpy(((inputs_matrix(images, 224 * 224 * 3, 0.0) + 2) / 4).reshape(images, 224, 224, 3)).permute(0, 3, 1, 2).contiguous()

    def run():
        out = []
        with torch.no_grad():
            for start in range(0, images, 16):
                x = model.features(pixels[start:start + 16].to(device))
                out.append(torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1).cpu())
        return torch.cat(out).numpy()
    return run


def saliency_case(images, device='cpu'):
    """The input gradient of class 0 through torchvision's MobileNetV2 for each image, one backward pass each,
    reduced by the sum of absolute values over channels and scaled to [0, 1]."""
    import os
    import torch
    import torchvision
    torch.set_num_threads(os.cpu_count())
    model = torchvision.models.mobilenet_v2(weights=None).eval().to(device)
    pixels = torch.from_numpy(((inputs_matrix(images, 224 * 224 * 3, 0.0) + 2) / 4).reshape(images, 224, 224, 3)).permute(0, 3, 1, 2).contiguous()

    def run():
        out = []
        for i in range(images):
            x = pixels[i:i + 1].to(device).requires_grad_(True)
            model(x)[0, 0].backward()
            g = x.grad.abs().sum(1)[0]
            out.append(((g - g.min()) / (g.max() - g.min())).cpu())
        return torch.stack(out).numpy()
    return run


def distill_case(triplets, device='cpu'):
    """Three AligNet steps: torchvision's MobileNetV2 (untrained weights: the same architecture and work) with a
    1024-unit Linear head on the pooled features, 3 × triplets images forward (batch norm in eval mode), the KL of
    softmax(student dot products / 100) to softmax(teacher similarities), λ‖θ − θ₀‖² over the backbone, Adam."""
    import os
    import torch
    import torchvision
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    images = 3 * triplets
    pixels = torch.from_numpy(((inputs_matrix(images, 224 * 224 * 3, 0.0) + 2) / 4).reshape(images, 224, 224, 3)).permute(0, 3, 1, 2).contiguous().to(device)
    teacher = torch.sin(torch.arange(images, dtype=torch.float32)).reshape(triplets, 3).to(device)
    sync = torch.cuda.synchronize if device != 'cpu' else (lambda: None)

    def run():
        backbone = torchvision.models.mobilenet_v2(weights=None).features.to(device).eval()
        head = torch.nn.Linear(1280, 1024).to(device)
        start = [p.detach().clone() for p in backbone.parameters()]
        optimizer = torch.optim.Adam(list(backbone.parameters()) + list(head.parameters()), lr=3e-5)
        losses = []
        for _ in range(3):
            z = head(torch.nn.functional.adaptive_avg_pool2d(backbone(pixels), 1).flatten(1)).reshape(triplets, 3, -1)
            student = torch.stack([(z[:, 0] * z[:, 1]).sum(1), (z[:, 0] * z[:, 2]).sum(1), (z[:, 1] * z[:, 2]).sum(1)], 1)
            p = torch.softmax(teacher, 1)
            kl = (p * (torch.log(p) - torch.log_softmax(student / 100, 1))).sum(1).mean()
            loss = kl + sum(((q - s) ** 2).sum() for q, s in zip(backbone.parameters(), start))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        sync()
        return np.array(losses)
    return run


def probe_inputs(count, n, p):
    """As src-main/bench/inputs.ts probeInputs: a hidden embedding H picks the odd ones out; X = H A + 0.1 N."""
    h = inputs_matrix(n, 8, 2.0)
    x = (h.astype(np.float64) @ inputs_matrix(8, p, 1.0).astype(np.float64) + 0.1 * inputs_matrix(n, p, 3.0)).astype(np.float32)
    h = h.astype(np.float64)
    a, b, c = inputs_triplets(count, n).astype(np.int64).T
    distinct = (a != b) & (a != c) & (b != c)
    a, b, c = a[distinct], b[distinct], c[distinct]
    ab, ac, bc = ((h[a] * h[b]).sum(1), (h[a] * h[c]).sum(1), (h[b] * h[c]).sum(1))
    first = (ab >= ac) & (ab >= bc)
    second = ~first & (ac >= bc)
    t = np.where(first[:, None], np.stack([a, b, c], 1), np.where(second[:, None], np.stack([a, c, b], 1), np.stack([b, c, a], 1)))
    train, validation = int(len(t) * 0.8), int(len(t) * 0.9)
    return x, t[:train], t[train:validation], t[validation:]


def probe_case(count, device='cpu'):
    """The probe as gLocal trains it (PyTorch): per batch, the triplets' feature rows times W; cross-entropy
    on the three pair similarities, λ‖W − mean(diag W)·I‖², Adam, gradient norm clipped at 1, early stopping on the
    validation loss (patience 5), batches in the given order. Returns the held-out accuracy."""
    import os
    import torch
    torch.set_num_threads(os.cpu_count())
    n, p = 1854, 768 if count > 5000 else 32
    x, train, validation, test = probe_inputs(count, n, p)
    xs = torch.from_numpy((x - x.mean()) / x.std()).to(device)
    train, validation, test = (torch.from_numpy(t).to(device) for t in (train, validation, test))
    eye = torch.eye(p, device=device)

    def similarities(w, b, t):
        z = xs[t] @ w + b
        return torch.stack([(z[:, 0] * z[:, 1]).sum(1), (z[:, 0] * z[:, 2]).sum(1), (z[:, 1] * z[:, 2]).sum(1)], 1)

    def run():
        w = (eye * 1e-3).requires_grad_()
        b = torch.zeros(p, requires_grad=True, device=device)
        optimizer = torch.optim.Adam([w, b], lr=1e-3)
        target = torch.zeros(4096, dtype=torch.long, device=device)
        best, best_epoch, kept = float('inf'), 0, None
        for epoch in range(1, 51):
            for start in range(0, len(train), 4096):
                t = train[start:start + 4096]
                s = similarities(w, b, t)
                ridge = ((w - torch.diagonal(w).mean() * eye) ** 2).sum()
                loss = torch.nn.functional.cross_entropy(s, target[:len(t)]) + 0.1 * ridge
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_([w, b], 1.0)
                optimizer.step()
            with torch.no_grad():
                s = similarities(w, b, validation)
                val = torch.nn.functional.cross_entropy(s, torch.zeros(len(validation), dtype=torch.long, device=device)).item()
            if val < best:
                best, best_epoch, kept = val, epoch, (w.detach().clone(), b.detach().clone())
            if epoch - best_epoch >= 5:
                break
        with torch.no_grad():
            s = similarities(*kept, test)
            correct = (s[:, 0] > s[:, 1]) & (s[:, 0] > s[:, 2])
        return np.array([correct.double().mean().item()])
    return run


GW_EPSILON = 0.003


def gw_inputs(size):
    """THINGS SPoSE 66-d against a perturbed copy, Euclidean distances scaled to max 1 (as the gw bench case)."""
    import os
    from scipy.spatial.distance import cdist
    here = os.path.dirname(os.path.abspath(__file__))
    csv = os.path.join(here, '..', '..', 'resources', 'examples', 'things', 'spose_embedding66d_rescaled.csv')
    x = np.loadtxt(csv, delimiter=',', skiprows=1, usecols=range(2, 68))[:size]
    y = x + 0.3 * inputs_matrix(size, 66, 0.3).astype(np.float64)
    def dissimilarities(f):
        c = cdist(f, f)
        return c / c.max()
    return dissimilarities(x), dissimilarities(y)


def torch_gw_case(size, dev):
    """The same algorithm on the GPU: POT's outer loop, log-domain Sinkhorn warm-started from the last potentials, float64."""
    import torch
    c1, c2 = (torch.from_numpy(c).to(dev) for c in gw_inputs(size))
    p = torch.full((size,), 1.0 / size, dtype=torch.float64, device=dev)
    log_p = torch.log(p)
    const = ((c1 ** 2) @ p)[:, None] + ((c2 ** 2) @ p)[None, :]
    eps = GW_EPSILON
    def run():
        t = p[:, None] * p[None, :]
        f = torch.zeros_like(p)
        g = torch.zeros_like(p)
        for outer in range(1000):
            previous = t
            cost = 2 * (const - 2 * c1 @ t @ c2.T)
            for inner in range(1000):
                g = eps * log_p - eps * torch.logsumexp((f[:, None] - cost) / eps, dim=0)
                f = eps * log_p - eps * torch.logsumexp((g[None, :] - cost) / eps, dim=1)
                if inner % 10 == 0 and torch.linalg.norm(torch.exp((f[:, None] + g[None, :] - cost) / eps).sum(0) - p).item() < 1e-9:
                    break
            t = torch.exp((f[:, None] + g[None, :] - cost) / eps)
            if outer % 10 == 0 and torch.linalg.norm(t - previous).item() < 1e-9:
                break
        return np.array([((const - 2 * c1 @ t @ c2.T) * t).sum().item()])
    return run


def squareform_full(condensed, n):
    m = np.zeros((n, n))
    m[np.triu_indices(n, 1)] = condensed
    return m + m.T


def torch_cases(case, size):
    import torch
    dev = torch.device('cuda')
    sync = torch.cuda.synchronize
    if case == 'matmul':
        a = torch.from_numpy(inputs_matrix(size, size, 0.0)).to(dev)
        b = torch.from_numpy(inputs_matrix(size, size, 1.0)).to(dev)
        return lambda: (a @ b).cpu().numpy()
    if case == 'cosine':
        x = torch.from_numpy(inputs_matrix(size, 768 if size > 256 else 64, 0.0)).to(dev)
        def run():
            y = torch.nn.functional.normalize(x, dim=1)
            return (y @ y.T).cpu().numpy()
        return run
    if case == 'gather':
        n = 1854
        s = torch.from_numpy(inputs_matrix(n, n, 0.0)).to(dev)
        t = torch.from_numpy(inputs_triplets(size, n)).long().to(dev)
        def run():
            out = torch.stack([s[t[:, 0], t[:, 1]], s[t[:, 0], t[:, 2]], s[t[:, 1], t[:, 2]]], dim=1)
            return out.cpu().numpy()
        return run
    if case == 'oddoneout':
        n = 1854
        x = torch.from_numpy(inputs_matrix(n, 768 if size > 100000 else 64, 0.0)).to(dev)
        t = torch.from_numpy(inputs_triplets(size, n)).long().to(dev)
        def run():
            s = x @ x.T
            pairs = torch.stack([s[t[:, 0], t[:, 1]], s[t[:, 0], t[:, 2]], s[t[:, 1], t[:, 2]]], dim=1)
            return torch.argmax(pairs, dim=1).float().cpu().numpy()
        return run
    if case == 'cka':
        x = torch.from_numpy(inputs_matrix(size, 768 if size > 256 else 64, 0.0)).to(dev)
        y = torch.from_numpy(inputs_matrix(size, 66, 1.0)).to(dev)
        def center_gram(gram):
            means = gram.mean(0, dtype=torch.float64).float()
            means -= means.mean() / 2
            return gram - means[:, None] - means[None, :]
        def run():
            gx, gy = center_gram(x @ x.T), center_gram(y @ y.T)
            hsic = (gx * gy).sum()
            return np.array([(hsic / (torch.linalg.norm(gx) * torch.linalg.norm(gy))).item()])
        return run
    if case == 'probe':
        return probe_case(size, dev)
    if case == 'mobilenet':
        return mobilenet_case(size, dev)
    if case == 'gw':
        return torch_gw_case(size, dev)
    if case == 'saliency':
        return saliency_case(size, dev)
    if case == 'distill':
        return distill_case(size, dev)
    raise SystemExit(f'unknown case {case}')


def main():
    if sys.argv[1] == '--write-file':
        write_file(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return
    case, size, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    use_torch = '--torch' in sys.argv
    run = torch_cases(case, size) if use_torch else numpy_cases(case, size)
    # A probe is one whole training: timed once, without a warm-up run.
    result = None if case in ('probe', 'kmeans', 'gw', 'tsne', 'saliency', 'distill') else run()  # warm-up (and, for the GPU, kernel compilation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    if use_torch:
        import torch
        impl = f'PyTorch {torch.__version__} on {torch.cuda.get_device_name(0)}'
    elif case == 'readpt':
        import torch
        impl = f'PyTorch {torch.__version__} torch.load'
    elif case in ('probe', 'mobilenet', 'saliency', 'distill'):
        import torch
        impl = f'PyTorch {torch.__version__} (CPU, {torch.get_num_threads()} threads)'
    elif case in ('temperature', 'rsasubjects'):
        import scipy
        impl = f'SciPy {scipy.__version__}'
    elif case == 'categorymeans':
        import pandas as pd
        impl = f'pandas {pd.__version__}'
    elif case in ('kmeans', 'tsne', 'pca'):
        import sklearn
        impl = f'scikit-learn {sklearn.__version__}'
    elif case == 'gw':
        import ot
        impl = f'POT {ot.__version__} (float64)'
    else:
        impl = f'NumPy {np.__version__}'
    print(json.dumps({
        'implementation': impl,
        'milliseconds': times,
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'checksum': float(np.asarray(result, dtype=np.float64).sum()),
    }))


if __name__ == '__main__':
    main()
