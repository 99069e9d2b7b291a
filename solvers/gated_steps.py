"""The worked derivation of the gru and lstm solvers, in the IN5400 style: gates, state,
output and loss step by step, then the backward pass step by step, then the parameter
gradients. Numbers are substituted into each line for a scalar cell; a vector cell shows
each formula and its value. Values that came from `given` are marked (given)."""

from __future__ import annotations

import numpy as np

from solvers.format import product, sub, terms, value
from solvers.gated_trace import GruTrace, LstmTrace

_GIVEN = " (given)"
_G = {"identity": "", "sigmoid": "σ", "softmax": "softmax"}
_LOSS = {"squared": "(ŷ_t − y_t)²", "half_squared": "½(ŷ_t − y_t)²", "cross_entropy": "−y_t·log ŷ_t"}
_PHI = {"tanh": "tanh", "sigmoid": "σ", "identity": ""}
_NAME = {"u": "u", "r": "r", "f": "f", "i": "i", "o": "o", "c": "c̃"}


def at(text: str, t: int) -> str:
    """A formula written with _t, _(t−1), _(t+1) at step t: 'u_t⊙h_(t−1)' -> 'u₂⊙h₁'."""
    return text.replace("_(t−1)", sub(t - 1)).replace("_(t+1)", sub(t + 1)).replace("_t", sub(t))


class _Writer:
    def __init__(self, trace: GruTrace | LstmTrace) -> None:
        self.tr, self.c = trace, trace.cell
        self.scalar = self.c.n == 1 and len(self.c.xs[1]) == 1 and not self.c.back.exact

    def show(self, v: object, kind: str = "hidden") -> str:
        return value(self.c.result(v, kind))

    def line(self, name: str, quantity: str, formula: str, numbers: str, result: object, kind: str = "hidden") -> str:
        """`name = formula = numbers = result`, or `name = result (given)`; numbers only for a scalar cell."""
        shown = self.show(result, kind)
        if quantity in self.tr.given:
            return f"{name} = {shown}{_GIVEN}"
        chain = [name, formula]
        if numbers and self.scalar and numbers != shown:
            chain.append(numbers)
        return " = ".join([*chain, shown])

    def scalars(self, *vs: object) -> list[float]:
        return [float(np.asarray(v, dtype=float).reshape(-1)[0]) for v in vs]

    def preactivation(self, g: str, t: int, h_prev: object) -> str:
        """W_g·[h_(t−1); x_t] + b_g written out with numbers (scalar cell)."""
        w = np.asarray(self.c.W[g], dtype=float).reshape(-1)
        hp, x = self.scalars(h_prev, self.c.xs[t])
        parts = [product(w[0], hp), product(w[1], x)]
        b = float(np.asarray(self.c.b[g], dtype=float)[0])
        return terms(parts + ([value(b)] if b else []))

    def gate(self, g: str, t: int, stem: str, fn: str = "σ") -> str:
        z, v = self.tr.z[g][t], self.tr.values[stem][t]
        h_prev = self.tr.values["h"][t - 1]
        name = f"{_NAME[g]}{sub(t)}"
        formula = f"{fn}(W_{g}·[h{sub(t - 1)}; x{sub(t)}] + b_{g})"
        numbers = f"{fn}({self.preactivation(g, t, h_prev)}) = {fn}({self.show(z)})" if self.scalar else ""
        return self.line(name, f"{stem}{t}", formula, numbers, v)

    def outputs(self, t: int) -> list[str]:
        ro, o = self.c.ro, self.tr.outs[t]
        g = _G[ro.output]
        formula = f"{g}(W_y·h{sub(t)} + b_y)" if g else f"W_y·h{sub(t)} + b_y"
        return [
            self.line(f"ŷ{sub(t)}", f"yhat{t}", formula, f"{g}({self.show(o.a, 'output')})" if g else "", o.yhat, "output"),
            self.line(f"L{sub(t)}", f"L{t}", _LOSS[ro.loss].replace("_t", sub(t)), "", o.loss, "loss"),
        ]

    def total_loss(self) -> str:
        T = self.c.T
        parts = terms([self.show(self.tr.outs[t].loss, "loss") for t in range(1, T + 1)])
        return self.line("L", "L", " + ".join(f"L{sub(t)}" for t in range(1, T + 1)), parts, self.tr.L, "loss")

    def own(self, t: int) -> object:
        """∂L_t/∂h_t, through ŷ_t only."""
        return self.tr.outs[t].dL_da @ self.c.ro.W_y

    def dz_line(self, g: str, t: int, formula: str, factors: tuple[object, ...]) -> str:
        numbers = product(*self.scalars(*factors)) if self.scalar else ""
        return self.line(f"∂L/∂z_{g}{sub(t)}", "", formula, numbers, self.tr.dz[t][g])

    def parameter_lines(self, gates: str) -> list[str]:
        out = ["Parameter gradients (z_g,t is gate g's pre-activation at step t)"]
        for g in gates:
            inputs = "[h_(t−1); x_t]"
            if g == "c" and getattr(self.tr, "reset", "") == "before":
                inputs = "[r_t⊙h_(t−1); x_t]"
            if g == "c" and getattr(self.tr, "reset", "") == "after":
                inputs = "[h_(t−1); x_t] (the h block scaled by r_t)"
            out.append(self.line(f"∂L/∂W_{g}", f"dL/dW_{g}", f"Σ_t (∂L/∂z_{g},t)ᵀ·{inputs}ᵀ", "",
                                 self.tr.grads[f"W_{g}"], f"W_{g}"))
            out.append(self.line(f"∂L/∂b_{g}", f"dL/db_{g}", f"Σ_t ∂L/∂z_{g},t", "", self.tr.grads[f"b_{g}"], f"b_{g}"))
        out.append(self.line("∂L/∂W_y", "dL/dW_y", "Σ_t (∂L_t/∂a_t)ᵀ·h_tᵀ", "", self.tr.grads["W_y"], "W_y"))
        out.append(self.line("∂L/∂b_y", "dL/db_y", "Σ_t ∂L_t/∂a_t", "", self.tr.grads["b_y"], "b_y"))
        return out

    def dh_line(self, k: int, carried: str) -> str:
        T = self.c.T
        name, quantity = f"∂L/∂h{sub(k)}", f"dL/dh{k}"
        if k == T:
            return self.line(name, quantity, f"∂L{sub(T)}/∂ŷ{sub(T)}·∂ŷ{sub(T)}/∂h{sub(T)}", "", self.tr.dh[k])
        if k == 0:
            return self.line(name, quantity, carried, "", self.tr.dh[k])
        own = self.own(k)
        numbers = terms([self.show(own), self.show(self.tr.dh[k] - own)]) if self.scalar else ""
        return self.line(name, quantity, f"∂L{sub(k)}/∂h{sub(k)} + {carried}", numbers, self.tr.dh[k])


def gru_derivation(tr: GruTrace) -> tuple[str, ...]:
    """Lines of the worked solution of a GRU problem."""
    w, c, T = _Writer(tr), tr.cell, tr.cell.T
    before, candidate = tr.reset == "before", tr.update == "candidate"
    mix = "u_t⊙c̃_t + (1 − u_t)⊙h_(t−1)" if candidate else "(1 − u_t)⊙c̃_t + u_t⊙h_(t−1)"
    cand = "tanh(W_c·[r_t⊙h_(t−1); x_t] + b_c)" if before else "tanh(r_t⊙(W_ch·h_(t−1)) + W_cx·x_t + b_c)"
    out = [f"Sizes: T = {T}; hidden n = {c.n}, input m = {len(c.xs[1])}, output k = {c.ro.k}",
           f"Model (reset {tr.reset}, update {tr.update}): c̃_t = {cand}, h_t = {mix}", "Forward pass"]
    v = tr.values
    for t in range(1, T + 1):
        out += [w.gate("u", t, "u"), w.gate("r", t, "r")]
        out.append(w.line(f"c̃{sub(t)}", f"ctilde{t}", at(cand, t),
                          f"tanh({w.show(tr.z['c'][t])})", v["ctilde"][t]))
        u, ct, hp = w.scalars(v["u"][t], v["ctilde"][t], v["h"][t - 1]) if w.scalar else (0, 0, 0)
        a, b = (u, 1 - u) if candidate else (1 - u, u)
        numbers = terms([product(a, ct), product(b, hp)])
        out.append(w.line(f"h{sub(t)}", f"h{t}", at(mix, t), numbers,
                          v["h"][t]))
        out += w.outputs(t)
    out.append(w.total_loss())
    out.append("Backward pass: ∂L/∂h_k is total (h_k perturbed, every later step recomputed)")
    sign = "(c̃_t − h_(t−1))" if candidate else "(h_(t−1) − c̃_t)"
    weight = "u_t" if candidate else "(1 − u_t)"
    reset_grad = "(∂L/∂z_c_t·W_ch) ⊙ h_(t−1)" if before else "∂L/∂z_c_t ⊙ (W_ch·h_(t−1))"
    for t in range(T, 0, -1):
        out.append(w.dh_line(t, f"∂L/∂h{sub(t + 1)}·∂h{sub(t + 1)}/∂h{sub(t)}"))
        u = v["u"][t]
        out.append(w.dz_line("u", t, at(f"∂L/∂h_t ⊙ {sign} ⊙ u_t(1 − u_t)", t),
                             (tr.dh[t], (1 if candidate else -1) * (v["ctilde"][t] - v["h"][t - 1]), u * (1 - u))))
        out.append(w.dz_line("c", t, at(f"∂L/∂h_t ⊙ {weight} ⊙ (1 − c̃_t²)", t),
                             (tr.dh[t], u if candidate else 1 - u, 1 - v["ctilde"][t] ** 2)))
        out.append(w.dz_line("r", t, at(f"{reset_grad} ⊙ r_t(1 − r_t)", t), ()))
    out.append(w.dh_line(0, "∂L/∂h₁·∂h₁/∂h₀"))
    out.append("with ∂h_t/∂h_(t−1) = diag(direct weight) + the paths through u_t, r_t and c̃_t")
    out.append(w.line(f"∂h{sub(T)}/∂h₀", f"dh{T}/dh0", " · ".join(f"∂h{sub(t)}/∂h{sub(t - 1)}" for t in range(T, 0, -1)),
                      "", tr.grads["h0"], "jacobian"))
    return tuple(out + w.parameter_lines("urc"))


def lstm_derivation(tr: LstmTrace) -> tuple[str, ...]:
    """Lines of the worked solution of an LSTM problem."""
    w, c, T, v = _Writer(tr), tr.cell, tr.cell.T, tr.values
    phi = _PHI[tr.phi]
    phi_of = f"{phi}(c_t)" if phi else "c_t"
    out = [f"Sizes: T = {T}; hidden n = {c.n}, input m = {len(c.xs[1])}, output k = {c.ro.k}",
           f"Model: c_t = f_t⊙c_(t−1) + i_t⊙c̃_t, h_t = o_t⊙{phi_of}", "Forward pass"]
    for t in range(1, T + 1):
        out += [w.gate("f", t, "f"), w.gate("i", t, "i"), w.gate("o", t, "o"), w.gate("c", t, "ctilde", "tanh")]
        f, cp, i, ct, o, ct_now = w.scalars(v["f"][t], v["c"][t - 1], v["i"][t], v["ctilde"][t], v["o"][t],
                                            v["c"][t]) if w.scalar else (0,) * 6
        out.append(w.line(f"c{sub(t)}", f"c{t}", f"f{sub(t)}⊙c{sub(t - 1)} + i{sub(t)}⊙c̃{sub(t)}",
                          terms([product(f, cp), product(i, ct)]), v["c"][t]))
        numbers = f"{product(o)}·{phi}({value(ct_now)})" if phi else product(o, ct_now)
        out.append(w.line(f"h{sub(t)}", f"h{t}", at(f"o_t⊙{phi_of}", t), numbers, v["h"][t]))
        out += w.outputs(t)
    out.append(w.total_loss())
    out.append("Backward pass: ∂L/∂h_k holds c_k fixed; ∂L/∂c_k follows every path")
    back = c.back
    for t in range(T, 0, -1):
        out.append(w.dh_line(t, f"Σ_g ∂L/∂z_g{sub(t + 1)}·W_g[:, :n]"))
        later = f" + ∂L/∂c{sub(t + 1)} ⊙ f{sub(t + 1)}" if t < T else ""
        parts = (tr.dh[t], v["o"][t], back.act_prime(tr.phi, v["c"][t]))
        numbers = product(*w.scalars(*parts)) if w.scalar else ""
        if w.scalar and t < T:
            numbers = terms([numbers, product(*w.scalars(tr.dc[t + 1], v["f"][t + 1]))])
        out.append(w.line(f"∂L/∂c{sub(t)}", f"dL/dc{t}", f"∂L/∂h{sub(t)} ⊙ o{sub(t)} ⊙ {phi or 'id'}′(c{sub(t)}){later}",
                          numbers, tr.dc[t]))
        s = sub(t)
        out.append(w.dz_line("o", t, at(f"∂L/∂h_t ⊙ {phi_of} ⊙ o_t(1 − o_t)", t), ()))
        out.append(w.dz_line("f", t, f"∂L/∂c{s} ⊙ c{sub(t - 1)} ⊙ f{s}(1 − f{s})", ()))
        out.append(w.dz_line("i", t, f"∂L/∂c{s} ⊙ c̃{s} ⊙ i{s}(1 − i{s})", ()))
        out.append(w.dz_line("c", t, f"∂L/∂c{s} ⊙ i{s} ⊙ (1 − c̃{s}²)", ()))
    out.append(w.dh_line(0, "Σ_g ∂L/∂z_g₁·W_g[:, :n]"))
    out.append(w.line("∂L/∂c₀", "dL/dc0", "∂L/∂c₁ ⊙ f₁", product(*w.scalars(tr.dc[1], v["f"][1])) if w.scalar else "",
                      tr.dc[0]))
    return tuple(out + w.parameter_lines("fioc"))
