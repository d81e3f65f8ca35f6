#!/usr/bin/env python3
# Records a signal table of a fault made by hand into tests/agents/signals/handmade/
# (diagnosis_test scores every file there). With ./run demo --detach running:
#   tests/agents/signals/record.py NAME "HOW" "INJECT CMD" "REPAIR CMD" ROOT_CAUSE COMPONENT|- "CONDITION"
# or a fault of the chaos catalogue at its defaults into tests/agents/signals/KIND.json:
#   tests/agents/signals/record.py --catalogue KIND "CONDITION"
# CONDITION is a Python expression over sig(NAME), the signal values as text, e.g.
#   "sig('service.shopd.process')=='stopped'"; '-' for a cause that names no component.
# The agents are paused meanwhile: inject, wait until the signals show it, dump
# `vigilctl --json signals` with the services that are not ok (what perception
# opens a problem for) and the live `vigilctl diagnose`, repair, resume.
import json, os, subprocess, sys, time
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '../../..'))
CTL = ROOT + '/build/vigilctl/vigilctl'

def ctl(*args):
    r = subprocess.run([CTL, '--json', *args], capture_output=True, text=True, timeout=60)
    try:
        return json.loads(r.stdout)
    except Exception:
        return None

def sig(table, name):
    for s in table or []:
        if s['name'] == name:
            return s['text']
    return None

def wait_for(cond):
    deadline = time.time() + 60
    while time.time() < deadline:
        table = ctl('signals')
        if eval(cond, {'sig': lambda n: sig(table, n)}):
            return True
        time.sleep(0.5)
    print('condition never held', file=sys.stderr)
    return False

def catalogue(kind, cond):
    ctl('agents', 'pause')
    subprocess.run([CTL, 'chaos', 'inject', kind, '--approve'], check=True)
    wait_for(cond)
    time.sleep(3)
    table = ctl('signals')
    with open(f'{ROOT}/tests/agents/signals/{kind}.json', 'w') as f:
        json.dump(table, f, indent=0)
    print(kind, len(table or []), 'signals;', json.dumps((ctl('diagnose') or [{}])[0].get('root_cause')))
    subprocess.run([CTL, 'chaos', 'stop'])
    deadline = time.time() + 90
    while time.time() < deadline and any(s.get('health') != 'ok' for s in ctl('status') or []):
        time.sleep(1)
    ctl('agents', 'resume')

def main():
    if len(sys.argv) == 4 and sys.argv[1] == '--catalogue':
        catalogue(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) != 8 or sys.argv[1] in ('-h', '--help'):
        print(__doc__ or open(__file__).read().split('import json')[0], file=sys.stderr)
        sys.exit(2)
    name, how, inject, repair, rc, comp, cond = sys.argv[1:8]
    ctl('agents', 'pause')
    subprocess.run(inject, shell=True, check=True)
    deadline = time.time() + 60
    table = None
    while time.time() < deadline:
        table = ctl('signals')
        if eval(cond, {'sig': lambda n: sig(table, n)}):
            break
        time.sleep(0.5)
    else:
        print('condition never held', file=sys.stderr)
    time.sleep(3)
    table = ctl('signals')
    bad = [s['service'] for s in ctl('status') or [] if s.get('health') != 'ok']
    live = ctl('diagnose') or []
    doc = {'fault': name, 'how': how, 'incident_services': bad,
           'expect': {'root_cause': rc, **({'component': comp} if comp != '-' else {})},
           'live_diagnose': [{'root_cause': h['root_cause'], 'component': h.get('component', ''),
                              'confidence': round(h['confidence'], 3)} for h in live[:3]],
           'signals': table}
    with open(f'{ROOT}/tests/agents/signals/handmade/{name}.json', 'w') as f:
        json.dump(doc, f, indent=0)
    print(name, bad, json.dumps(doc['live_diagnose']))
    subprocess.run(repair, shell=True)
    ctl('agents', 'resume')

main()
