"""Checks transfer.test's claims from the trainers' logs and checkpoints.

Usage: compare-transfer.py FINETUNE_LOG SCRATCH_LOG PRETRAINED FINETUNED.
The fine-tuned model's test accuracy must beat the one trained from scratch
(both JSON Lines logs end with a "test" record on the same test set); the
frozen tensors fc1.* and fc2.* of the fine-tuned checkpoint must be those of
the pretrained one bit for bit, and have no optimizer state, while the new
head has optimizer state. Exits 1 with a message otherwise.
"""
import json
import struct
import sys


def test_acc(path):
    tests = [json.loads(l) for l in open(path) if '"test"' in l]
    tests = [r for r in tests if r.get("event") == "test"]
    if not tests:
        sys.exit("%s has no test record" % path)
    return tests[-1]["acc"]


from safetensors_read import raw as tensors  # noqa: E402


finetune, scratch = test_acc(sys.argv[1]), test_acc(sys.argv[2])
print("test accuracy: fine-tuned %.4f, from scratch %.4f" % (finetune, scratch))
if not finetune > scratch:
    sys.exit("the fine-tuned model does not beat training from scratch")
pre, fine = tensors(sys.argv[3]), tensors(sys.argv[4])
for key in ("fc1.w", "fc1.b", "fc2.w", "fc2.b"):
    if pre[key] != fine[key]:
        sys.exit("frozen tensor %s changed during fine-tuning" % key)
    if any(k.startswith("opt.") and k.endswith("." + key) for k in fine):
        sys.exit("frozen tensor %s has optimizer state" % key)
if not any(k.startswith("opt.") and k.endswith(".new_head.w") for k in fine):
    sys.exit("the new head has no optimizer state")
print("frozen tensors unchanged, without optimizer state")
