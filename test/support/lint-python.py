# A small lint for the check programs (source/checks): every name a program
# reads is a builtin, imported or defined, and every import is used. Prints one
# line per problem, "FILE:LINE: message"; exit 1 when there is any.
# argv: the .py files.
import ast, builtins, sys, symtable

problems = []


def scopes(table):
    yield table
    for child in table.get_children():
        yield from scopes(child)


for path in sys.argv[1:]:
    with open(path) as file:
        source = file.read()
    tree = ast.parse(source, path)
    top = symtable.symtable(source, path, 'exec')
    defined = {symbol.get_name() for symbol in top.get_symbols() if symbol.is_assigned() or symbol.is_imported()}
    used = set()
    for table in scopes(top):
        for symbol in table.get_symbols():
            name = symbol.get_name()
            if symbol.is_referenced():
                used.add(name)
                # A free name is bound in an enclosing function; a global one must be here.
                if symbol.is_global() and name not in defined and not hasattr(builtins, name):
                    lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name]
                    problems.append(f'{path}:{min(lines, default=0)}: undefined name {name}')
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = (alias.asname or alias.name).split('.')[0]
                if name not in used:
                    problems.append(f'{path}:{node.lineno}: {name} imported but unused')

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
