"""cegdb from Python: compare two frontier models and look at one innovation's gains.

Run after `cegdb build` (or point it at a release folder or URL):

    python docs/examples/python_api.py cegdb.sqlite

tests/test_api.py runs this script on a catalog built from the repository, so it stays correct.
"""

import sys

import pandas as pd

import cegdb

location = sys.argv[1] if len(sys.argv) > 1 else "cegdb.sqlite"
cat = cegdb.open(location)
print(cat)

# DeepSeek-V3 against Llama 3.1 405B: the resolved (winning) value of each field.
models = cat.models().set_index("id")
columns = ["active_parameters", "parameters", "training_tokens", "gpu_hours", "hardware_id",
           "training_compute_flop", "training_compute_method"]
pair = models.loc[["deepseek-v3", "llama-3.1-405b"], columns]
units = models.attrs["units"]
print("\nDeepSeek-V3 vs Llama 3.1 405B")
shown = pair.apply(lambda column: column.map(lambda v: f"{v:.4g}" if isinstance(v, float) else v))
print(shown.rename(columns=lambda c: f"{c} [{units[c]}]" if units.get(c) else c).T.to_string())

# A dense model's active parameters are all of them.
active = pair["active_parameters"].fillna(pair["parameters"])
print(f"\nLlama 3.1 405B used {pair.loc['llama-3.1-405b', 'gpu_hours'] / pair.loc['deepseek-v3', 'gpu_hours']:.1f}x "
      f"the GPU-hours and {pair.loc['llama-3.1-405b', 'training_compute_flop'] / pair.loc['deepseek-v3', 'training_compute_flop']:.1f}x "
      f"the compute of DeepSeek-V3, with {active['llama-3.1-405b'] / active['deepseek-v3']:.1f}x the active parameters "
      f"per token")

# The chips, from the hardware table: dense peak BF16 and FP8 throughput.
chips = cat.hardware().set_index("id").loc[pair["hardware_id"], ["name", "bf16_tflops", "fp8_tflops", "memory_gb"]]
print("\nTraining hardware")
print(chips.to_string())

# Where the compute numbers come from: every training_compute_flop claim, with its source.
claims = cat.claims(model="deepseek-v3", field="training_compute_flop")
print("\nDeepSeek-V3 training compute, claim by claim")
print(claims[["value_num", "method", "confidence", "source_title"]].to_string(index=False))

# One innovation's compute-equivalent gains: the Transformer (over recurrent baselines).
ceg = cat.ceg(innovation="transformer")
print(f"\nTransformer: {len(ceg)} CEG estimates (ceg in {ceg.attrs['units']['ceg']}, "
      f"compute in {ceg.attrs['units']['compute_flop']})")
print(ceg[["method", "basis", "compute_flop", "ceg", "lower", "upper", "censored", "source_id"]]
      .head(12).to_string(index=False))
verdict = cat.summary().query("innovation_id == 'transformer' and basis == 'flop'").iloc[0]
print(f"\nclass: {verdict.compute_class}; slope d ln CEG / d ln C = {verdict.slope:.3f} "
      f"[{verdict.slope_lower:.3f}, {verdict.slope_upper:.3f}]; literature: {verdict.literature_class}")

# Your own sweep through the same engine as `cegdb ceg runs.csv`.
mine = pd.DataFrame({
    "innovation": "my-trick", "series": "sweep-1",
    "arm": ["baseline"] * 4 + ["treatment"] * 3,
    "compute_flop": [1e18, 1e19, 1e20, 1e21, 1e18 * 3.16, 1e19 * 3.16, 1e20 * 3.16],
    "loss": [3.60, 3.20, 2.90, 2.68, 3.25, 2.93, 2.70],
})
points, series = cegdb.ceg(mine)
print("\nMy sweep")
print(points[["compute_flop", "loss", "ceg", "ceg_lower", "ceg_upper", "extrapolated"]].to_string(index=False))
print(series[["innovation", "series", "class", "slope", "reason"]].to_string(index=False))
