"""The worked derivation of the `rnn` solver: numbers substituted line by line for a scalar
RNN (as in the IN5400 answers), a shorter summary with shapes for vectors."""

from __future__ import annotations

import numpy as np

from solvers.backend import output_jacobian
from solvers.format import factor, product, sub, terms, value
from solvers.names import HIDDEN_PARAMS, RNN_PARAMS
from solvers.rnn_model import Trace

_F = {"identity": "", "tanh": "tanh", "sigmoid": "σ", "relu": "relu"}
_LOSS = {"squared": "Σ(ŷ_t − y_t)²", "half_squared": "½Σ(ŷ_t − y_t)²", "cross_entropy": "−Σ y_t·log ŷ_t"}
_GIVEN = " (given)"
_LONG = 60


def derivation(trace: Trace) -> tuple[str, ...]:
    """Lines of the worked solution; values that came from `given` are marked (given)."""
    scalar = {"hidden", "input", "output"} <= trace.model.scalars
    return tuple(_Scalar(trace).lines() if scalar else _Vector(trace).lines())


class _Writer:
    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.m = trace.model
        self.T = trace.model.T
        # with a hidden-gradient override, Σ_t ∂L_t/∂h_k no longer equals the δ recursion
        self.plain_sums = not any("/dh" in name for name in trace.given)

    def mark(self, name: str) -> str:
        return _GIVEN if name in self.trace.given else ""

    def show(self, v: object, scalar: bool = True) -> str:
        return value(self.m.back.result(v, scalar))

    def fac(self, v: object) -> str:
        return factor(self.m.back.result(v, True))

    def prod(self, *factors: object) -> str:
        return product(*(self.m.back.result(f, True) for f in factors))

    def nonzero(self, v: np.ndarray) -> bool:
        return any(e != 0 for e in np.asarray(v).reshape(-1))

    def truncation(self) -> list[str]:
        k = self.m.truncate
        if k is None:
            return []
        reach = "only step t itself contributes" if k == 1 else f"only steps t−{k - 1}..t (from step 1 on) contribute"
        return [f"Truncated BPTT, k = {k}: in ∂L_t/∂θ, h_(t−{k}) is held constant, so {reach}."]


class _Scalar(_Writer):
    """Every step with its numbers, for scalar hidden state, input and output."""

    def lines(self) -> list[str]:
        out = ["Forward pass"]
        for t in range(1, self.T + 1):
            out += [self.hidden(t), self.output(t), self.loss(t)]
        parts = [self.show(self.trace.losses[t]) for t in range(1, self.T + 1)]
        sym = " + ".join(f"L{sub(t)}" for t in range(1, self.T + 1))
        out.append(self.equation("L", sym, terms(parts), self.trace.L))
        out.append("Local derivatives")
        for t in range(1, self.T + 1):
            out += self.locals(t)
        out.append("Backward pass, per loss")
        out += self.truncation()
        for t in range(1, self.T + 1):
            out += self.per_loss(t)
        if self.trace.total_h is not None:
            out.append("Backward pass, total ∂L/∂h_k")
            out += [self.total_h(k) for k in range(self.T, -1, -1)]
        out.append("Parameter gradients")
        out.append(self.legend())
        for p in RNN_PARAMS:
            out += [self.per_param(t, p) for t in range(1, self.T + 1)]
            out.append(self.total_param(p))
        return out

    def equation(self, name: str, sym: str, numbers: str | list[str], result: object) -> str:
        """`name = sym = numbers = result`, or `name = result (given)`.

        Repeated pieces are dropped, and so are long substitutions in a symbolic problem,
        where they would only repeat the expression.
        """
        shown = self.show(result)
        if self.mark(_quantity(name)):
            return f"{name} = {shown}{_GIVEN}"
        pieces = [numbers] if isinstance(numbers, str) else numbers
        if self.m.back.exact:
            pieces = [p for p in pieces if len(p) <= _LONG]
        chain = [name]
        for piece in [sym, *pieces, shown]:
            if piece and piece != chain[-1]:
                chain.append(piece)
        return " = ".join(chain)

    def hidden(self, t: int) -> str:
        m, tr = self.m, self.trace
        sym = [f"W_x·x{sub(t)}", f"W_h·h{sub(t - 1)}"]
        nums = [self.prod(m.W_x, m.xs[t]), self.prod(m.W_h, tr.h[t - 1])]
        if self.nonzero(m.b_h):
            sym.append("b_h")
            nums.append(self.show(m.b_h))
        f = _F[m.activation]
        if not f:
            return self.equation(f"h{sub(t)}", " + ".join(sym), terms(nums), tr.h[t])
        wrapped = [f"{f}({terms(nums)})", f"{f}({self.show(tr.z[t])})"]
        return self.equation(f"h{sub(t)}", f"{f}({' + '.join(sym)})", wrapped, tr.h[t])

    def output(self, t: int) -> str:
        m, tr = self.m, self.trace
        sym, nums = f"W_y·h{sub(t)}", [self.prod(m.W_y, tr.h[t])]
        if self.nonzero(m.b_y):
            sym += " + b_y"
            nums.append(self.show(m.b_y))
        g = _F.get(m.output, m.output)
        if not g:
            return self.equation(f"ŷ{sub(t)}", sym, terms(nums), tr.yhat[t])
        wrapped = [f"{g}({terms(nums)})", f"{g}({self.show(tr.a[t])})"]
        return self.equation(f"ŷ{sub(t)}", f"{g}({sym})", wrapped, tr.yhat[t])

    def loss(self, t: int) -> str:
        tr = self.trace
        yhat, y = self.show(tr.yhat[t]), self.m.ys[t]
        if self.m.loss == "cross_entropy":
            sym, nums = f"−y{sub(t)}·log ŷ{sub(t)}", f"−{self.fac(y)}·log({yhat})"
        else:
            half = "½" if self.m.loss == "half_squared" else ""
            sym, nums = f"{half}(ŷ{sub(t)} − y{sub(t)})²", f"{half}({yhat} − {self.fac(y)})²"
        return self.equation(f"L{sub(t)}", sym, nums, tr.losses[t])

    def output_prime(self, t: int) -> object:
        return output_jacobian(self.m.back, self.m.output, self.trace.a[t])

    def locals(self, t: int) -> list[str]:
        m, tr = self.m, self.trace
        yhat, y, e = self.show(tr.yhat[t]), self.fac(m.ys[t]), tr.dL_dyhat[t]
        dy = f"∂L{sub(t)}/∂ŷ{sub(t)}"
        if m.loss == "squared":
            lines = [f"{dy} = 2(ŷ{sub(t)} − y{sub(t)}) = 2({yhat} − {y}) = {self.show(e)}"]
        elif m.loss == "half_squared":
            lines = [f"{dy} = ŷ{sub(t)} − y{sub(t)} = {yhat} − {y} = {self.show(e)}"]
        else:
            lines = [f"{dy} = −y{sub(t)}/ŷ{sub(t)} = −{y}/{self.fac(tr.yhat[t])} = {self.show(e)}"]
        g = _F.get(m.output, m.output)
        name = f"∂ŷ{sub(t)}/∂h{sub(t)}"
        if g:
            gp = self.output_prime(t)
            lines.append(f"{name} = {g}′(a{sub(t)})·W_y = {self.prod(gp, m.W_y)} = {self.show(gp @ m.W_y)}")
        else:
            lines.append(f"{name} = W_y = {self.show(m.W_y)}")
        f = _F[m.activation]
        name = f"∂h{sub(t)}/∂h{sub(t - 1)}"
        if f:
            lines.append(f"{name} = {f}′(z{sub(t)})·W_h = {self.prod(tr.fprime[t], m.W_h)} = {self.show(tr.Jh[t])}")
        else:
            lines.append(f"{name} = W_h = {self.show(m.W_h)}")
        return lines

    def per_loss(self, t: int) -> list[str]:
        tr = self.trace
        name = f"dL{t}/dh{t}"
        lines = [
            self.equation(
                _pretty(name),
                f"∂L{sub(t)}/∂ŷ{sub(t)}·∂ŷ{sub(t)}/∂h{sub(t)}",
                self.prod(tr.dL_dyhat[t], self.output_prime(t) @ self.m.W_y),
                tr.per_h[t, t],
            )
        ]
        lowest = 0 if self.m.truncate is None else self.m.lowest_step(t)
        for k in range(t - 1, lowest - 1, -1):
            lines.append(
                self.equation(
                    _pretty(f"dL{t}/dh{k}"),
                    f"∂L{sub(t)}/∂h{sub(k + 1)}·∂h{sub(k + 1)}/∂h{sub(k)}",
                    self.prod(tr.per_h[t, k + 1], tr.Jh[k + 1]),
                    tr.per_h[t, k],
                )
            )
        return lines

    def total_h(self, k: int) -> str:
        tr, T = self.trace, self.T
        name = _pretty(f"dL/dh{k}")
        if k == T:
            return self.equation(name, f"∂L{sub(T)}/∂h{sub(T)}", "", tr.total_h[k])
        if self.plain_sums:
            losses = range(max(k, 1), T + 1)
            sym = " + ".join(f"∂L{sub(t)}/∂h{sub(k)}" for t in losses)
            return self.equation(name, sym, terms([self.show(tr.per_h[t, k]) for t in losses]), tr.total_h[k])
        carried = f"∂L/∂h{sub(k + 1)}·∂h{sub(k + 1)}/∂h{sub(k)}"
        nums = self.prod(tr.total_h[k + 1], tr.Jh[k + 1])
        if k == 0:
            return self.equation(name, carried, nums, tr.total_h[k])
        own = self.show(tr.per_h[k, k])
        return self.equation(name, f"∂L{sub(k)}/∂h{sub(k)} + {carried}", terms([own, nums]), tr.total_h[k])

    def legend(self) -> str:
        f, g = _F[self.m.activation], _F.get(self.m.output, self.m.output)
        fp, gp = (f"{f}′(z_t)·" if f else ""), (f"{g}′(a_t)·" if g else "")
        return (
            f"with ∂h_t/∂W_h = {fp}h_(t−1), ∂h_t/∂W_x = {fp}x_t, ∂h_t/∂b_h = {fp.rstrip('·') or '1'}, "
            f"∂ŷ_t/∂W_y = {gp}h_t, ∂ŷ_t/∂b_y = {gp.rstrip('·') or '1'}"
        )

    def local(self, p: str, s: int) -> object:
        """∂h_s/∂θ or ∂ŷ_s/∂θ, the direct dependence only."""
        one = np.ones(1, dtype=self.m.h0.dtype)
        if p in HIDDEN_PARAMS:
            return self.trace.contribution(p, one, s)
        gp = self.output_prime(s).reshape(-1)
        return gp * self.trace.h[s] if p == "W_y" else gp

    def per_param(self, t: int, p: str) -> str:
        tr = self.trace
        name = _pretty(f"dL{t}/d{p}")
        if p in HIDDEN_PARAMS:
            steps = range(t, self.m.lowest_step(t) - 1, -1)
            sym = " + ".join(f"∂L{sub(t)}/∂h{sub(s)}·∂h{sub(s)}/∂{p}" for s in steps)
            nums = terms([self.prod(tr.per_h[t, s], self.local(p, s)) for s in steps])
        else:
            sym = f"∂L{sub(t)}/∂ŷ{sub(t)}·∂ŷ{sub(t)}/∂{p}"
            nums = self.prod(tr.dL_dyhat[t], self.local(p, t))
        return self.equation(name, sym, nums, tr.per_param[t, p])

    def total_param(self, p: str) -> str:
        tr, T = self.trace, self.T
        name = _pretty(f"dL/d{p}")
        if tr.by_loss[p] or self.plain_sums:
            sym = " + ".join(f"∂L{sub(t)}/∂{p}" for t in range(1, T + 1))
            nums = terms([self.show(tr.per_param[t, p]) for t in range(1, T + 1)])
        else:
            sym = " + ".join(f"∂L/∂h{sub(s)}·∂h{sub(s)}/∂{p}" for s in range(1, T + 1))
            nums = terms([self.prod(tr.total_h[s], self.local(p, s)) for s in range(1, T + 1)])
        return self.equation(name, sym, nums, tr.total_param[p])


class _Vector(_Writer):
    """A summary with shapes and the δ recursion, for vector problems."""

    def lines(self) -> list[str]:
        m, tr, T = self.m, self.trace, self.T
        f, g = _F[m.activation], _F.get(m.output, m.output)
        out = [
            f"Sizes: T = {T}; hidden n = {m.n}, input m = {m.m}, output k = {m.k}; "
            f"W_h {m.n}×{m.n}, W_x {m.n}×{m.m}, W_y {m.k}×{m.n}",
            f"Model: h_t = {f}(W_h·h_(t−1) + W_x·x_t + b_h), ŷ_t = {g}(W_y·h_t + b_y), L_t = {_LOSS[m.loss]}",
        ]
        for t in range(1, T + 1):
            out.append(f"h{sub(t)} = {self.vec(tr.h[t], 'hidden')}{self.mark(f'h{t}')}")
            out.append(f"ŷ{sub(t)} = {self.vec(tr.yhat[t], 'output')}{self.mark(f'yhat{t}')}")
            out.append(f"L{sub(t)} = {self.show(tr.losses[t])}{self.mark(f'L{t}')}")
        out.append(f"L = Σ_t L_t = {self.show(tr.L)}{self.mark('L')}")
        out.append(
            "Backward, per loss: ∂L_t/∂a_t = ∂L_t/∂ŷ_t·∂ŷ_t/∂a_t (a_t = W_y·h_t + b_y), ∂L_t/∂h_t = ∂L_t/∂a_t·W_y"
        )
        for t in range(1, T + 1):
            out.append(f"∂L{sub(t)}/∂ŷ{sub(t)} = {self.vec(tr.dL_dyhat[t], 'output')}")
            out.append(f"∂L{sub(t)}/∂a{sub(t)} = {self.vec(tr.dL_da[t], 'output')}")
            out.append(f"∂L{sub(t)}/∂h{sub(t)} = {self.vec(tr.per_h[t, t], 'hidden')}{self.mark(f'dL{t}/dh{t}')}")
        out += self.truncation()
        if tr.total_h is not None:
            out.append(
                "δ recursion: ∂L/∂h_T = ∂L_T/∂h_T, "
                f"∂L/∂h_k = ∂L_k/∂h_k + ∂L/∂h_(k+1)·diag({f or 'f'}′(z_(k+1)))·W_h (no L₀ term)"
            )
            for k in range(T, -1, -1):
                out.append(f"∂L/∂h{sub(k)} = {self.vec(tr.total_h[k], 'hidden')}{self.mark(f'dL/dh{k}')}")
        for p in RNN_PARAMS:
            if tr.by_loss[p]:
                for t in range(1, T + 1):
                    out.append(f"∂L{sub(t)}/∂{p} = {self.vec(tr.per_param[t, p], p)}{self.mark(f'dL{t}/d{p}')}")
            out.append(f"∂L/∂{p} = {self.formula(p)} = {self.vec(tr.total_param[p], p)}{self.mark(f'dL/d{p}')}")
        return out

    def vec(self, v: object, kind: str) -> str:
        return self.show(v, kind in self.m.scalars)

    def formula(self, p: str) -> str:
        f = _F[self.m.activation] or "f"
        local = {
            "W_h": f"(δ_s ⊙ {f}′(z_s))ᵀ·h_(s−1)ᵀ",
            "W_x": f"(δ_s ⊙ {f}′(z_s))ᵀ·x_sᵀ",
            "b_h": f"δ_s ⊙ {f}′(z_s)",
            "W_y": "(∂L_t/∂a_t)ᵀ·h_tᵀ",
            "b_y": "∂L_t/∂a_t",
        }[p]
        if p in ("W_y", "b_y"):
            return f"Σ_t {local}"
        if self.trace.by_loss[p]:
            if self.m.truncate is None:
                return f"Σ_t ∂L_t/∂{p}"
            return f"Σ_t Σ_(s=t−{self.m.truncate - 1}..t) {local} with δ_s = ∂L_t/∂h_s"
        return f"Σ_s {local} with δ_s = ∂L/∂h_s"


def _quantity(pretty: str) -> str:
    """The quantity name behind a displayed name: 'ŷ₁' -> 'yhat1', '∂L/∂h₀' -> 'dL/dh0'."""
    plain = pretty.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
    return plain.replace("ŷ", "yhat").replace("∂", "d")


def _pretty(quantity: str) -> str:
    """'dL2/dh1' -> '∂L₂/∂h₁'."""
    num, den = quantity.split("/")
    return f"∂{_subscripted(num[1:])}/∂{_subscripted(den[1:])}"


def _subscripted(name: str) -> str:
    head = name.rstrip("0123456789")
    return head + sub(name[len(head) :]) if head != name else name
