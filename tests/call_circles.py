#!/usr/bin/env python3
"""call_circles.py OBJDIR - fail when .c files call each other in a circle.

Problem: a file that calls into another file which calls back into it (directly
or around a longer loop) ties both into one unit that cannot be understood,
tested or moved alone (issue 13).
Approach: `nm` every object file under OBJDIR built from the project's own
sources (tests excluded); an edge A -> B is an undefined symbol of A that B
defines (functions and data alike, so ops tables count). Tarjan's algorithm
finds the strongly connected components; any component with more than one
file is a circle. Prints one line per circle with the symbols on its edges.
Limits: calls through function pointers handed over at run time (callbacks,
ops tables filled by the caller) are not edges: that is the sanctioned way
for a lower layer to call up. Exit 0 = no circle, 1 = circles, 2 = usage.
"""
import collections, os, subprocess, sys

def symbols(path):
    out = subprocess.run(['nm', path], capture_output=True, text=True,
                         check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'U':
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in 'TDBRCGS':
            defined.add(parts[2])
    return defined, undefined

def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print('usage: call_circles.py OBJDIR', file=sys.stderr)
        return 2
    objdir = sys.argv[1]
    owner, needs = {}, {}
    for root, _, files in os.walk(objdir):
        for f in sorted(files):
            if not f.endswith('.o'):
                continue
            p = os.path.join(root, f)
            src = os.path.relpath(p, objdir)[:-2] + '.c'
            if src.startswith('tests/'):
                continue
            d, u = symbols(p)
            needs[src] = u
            for s in d:
                owner.setdefault(s, src)
    edges = collections.defaultdict(dict)
    for a, us in needs.items():
        for s in us:
            b = owner.get(s)
            if b and b != a:
                edges[a].setdefault(b, []).append(s)
    # Tarjan, iterative
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]
    def strong(v):
        work = [(v, iter(sorted(edges[v])))]
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]; counter[0] += 1
                    stack.append(nxt); on.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == node:
                        break
                sccs.append(sorted(comp))
    for v in sorted(needs):
        if v not in index:
            strong(v)
    bad = [c for c in sccs if len(c) > 1]
    for c in bad:
        print('circle: ' + ' <-> '.join(c))
        for a in c:
            for b in c:
                if b in edges[a]:
                    print('   %s -> %s: %s' % (a, b, ' '.join(sorted(edges[a][b])[:6])))
    print('%d files, %d edges, %d circle(s)' % (len(needs),
          sum(len(e) for e in edges.values()), len(bad)))
    return 1 if bad else 0

sys.exit(main())
