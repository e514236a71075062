#!/usr/bin/env python3
"""Lists, for SavedModels whose serving_default runs functional While loops (Keras RNNs), the op types that the
gradient through them needs: those of the functions around the loops (all, and those on the data path to the
output: Keras also computes the first step outside the loop only for its shapes, which is dead code), those in
each loop's body and cond, and how each loop's trip count is fed.

  TF_CPP_MIN_LOG_LEVEL=2 ~/.cache/explainable-serving/pyenv-tf/bin/python tools/while-op-inventory.py \
      runtime/src/test/resources/models/recurrent_*
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from tensorflow.core.protobuf import saved_model_pb2  # noqa: E402
from tensorflow.python.framework import tensor_util  # noqa: E402

CALLS = ("StatefulPartitionedCall", "PartitionedCall")


def const_value(node):
    return tensor_util.MakeNdarray(node.attr["value"].tensor).tolist()


def live(fn):
    """Names of the nodes of fn on a data path to its outputs."""
    nodes = {n.name: n for n in fn.node_def}
    todo = [v.split(":")[0] for v in fn.ret.values()]
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in nodes:
            continue
        seen.add(name)
        todo += [i.split(":")[0] for i in nodes[name].input if not i.startswith("^")]
    return seen


def describe(nodes, tensor):
    """What produces a loop input: a Const (with its value), another op (with its inputs, one level) or an argument."""
    name = tensor.split(":")[0]
    if name not in nodes:
        return f"{name} (function argument)"
    node = nodes[name]
    if node.op == "Const":
        return f"Const {const_value(node)}"
    args = ", ".join(describe(nodes, i) for i in node.input if not i.startswith("^"))
    return f"{node.op}({args})"


def inventory(model_dir):
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    meta = sm.meta_graphs[0]
    library = {fn.signature.name: fn for fn in meta.graph_def.library.function}
    outer = {n.name: n for n in meta.graph_def.node}
    (output,) = [t.name.split(":")[0] for t in meta.signature_def["serving_default"].outputs.values()]
    outer_ops, live_ops, loops = set(), set(), []

    def walk(fn_name, path):
        fn = library[fn_name]
        nodes = {n.name: n for n in fn.node_def}
        on_path = live(fn)
        outer_ops.update(n.op for n in fn.node_def)
        live_ops.update(nodes[n].op for n in on_path)
        for node in fn.node_def:
            if node.op in CALLS:
                walk(node.attr["f"].func.name, path + [node.name])
            elif node.op in ("While", "StatelessWhile"):
                body, cond = library[node.attr["body"].func.name], library[node.attr["cond"].func.name]
                set_items = [n for n in body.node_def if n.op == "TensorListSetItem"]
                index = [describe({n.name: n for n in body.node_def}, s.input[1]) for s in set_items]
                loops.append({
                    "name": "/".join(path + [node.name]), "op": node.op,
                    "max_iterations": describe(nodes, node.input[1]),
                    "cond": "; ".join(f"{n.op}" + (f" {const_value(n)}" if n.op == "Const" else "")
                                      for n in cond.node_def),
                    "body_ops": sorted({n.op for n in body.node_def}),
                    "body_calls": [n.attr["f"].func.name for n in body.node_def if n.op in CALLS],
                    "set_item_index": index,
                    "outputs_used": sorted({i.split(":")[-1] for m in fn.node_def if m.name in on_path
                                            for i in m.input if i.startswith(node.name + ":")}),
                    "lower_using_switch_merge": node.attr["_lower_using_switch_merge"].b,
                })

    walk(outer[output].attr["f"].func.name, [output])
    return sorted(outer_ops), sorted(live_ops), loops


def main():
    every_body = set()
    every_live = set()
    for model_dir in sys.argv[1:]:
        outer_ops, live_ops, loops = inventory(model_dir)
        every_live.update(live_ops)
        print(f"{os.path.basename(model_dir.rstrip('/'))}: {len(loops)} While loop(s)")
        print("  around the loops, on the output's data path:", ", ".join(live_ops))
        print("  around the loops, only in dead code:", ", ".join(sorted(set(outer_ops) - set(live_ops))) or "-")
        for loop in loops:
            every_body.update(loop["body_ops"])
            print(f"  {loop['op']} {loop['name']} (lower_using_switch_merge={loop['lower_using_switch_merge']})")
            print(f"    maximum_iterations = {loop['max_iterations']}")
            print(f"    cond: {loop['cond']}")
            print(f"    body: {', '.join(loop['body_ops'])}")
            print(f"    TensorListSetItem index: {loop['set_item_index']}; loop outputs used after: {loop['outputs_used']}")
            if loop["body_calls"]:
                print(f"    body calls: {loop['body_calls']}")
    print("every op in a loop body:", ", ".join(sorted(every_body)))
    print("every op on the data path around the loops:", ", ".join(sorted(every_live)))


if __name__ == "__main__":
    main()
