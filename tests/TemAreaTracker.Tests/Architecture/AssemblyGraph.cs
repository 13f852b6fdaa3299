using Mono.Cecil;
using Mono.Cecil.Cil;

namespace TemAreaTracker.Tests.Architecture;

/// <summary>One type reference found in compiled code: the top-level type that holds it, the top-level type it
/// names, and the member where it occurs (Cecil's full name, so a lambda shows as its compiler-generated method).</summary>
/// <param name="FromNamespace">Namespace of the referencing top-level type (nested and compiler-generated types
/// count for the top-level type that declares them).</param>
/// <param name="FromType">Full name of the referencing top-level type.</param>
/// <param name="ToAssembly">Simple name of the assembly that defines the referenced type.</param>
/// <param name="ToNamespace">Namespace of the referenced top-level type.</param>
/// <param name="ToType">Full name of the referenced top-level type.</param>
/// <param name="Where">The type or member where the reference occurs.</param>
internal sealed record TypeEdge(string FromNamespace, string FromType, string ToAssembly, string ToNamespace, string ToType, string Where);

/// <summary>A top-level type declared in the read assembly, with its visibility.</summary>
internal sealed record DeclaredType(string Namespace, string FullName, bool IsPublic);

/// <summary>
/// Every type reference in one compiled assembly, read from its metadata and IL with Mono.Cecil (not from source
/// text), so a call inside a method body or a lambda counts as much as a field type. Covered: base types,
/// interfaces, generic constraints, custom attributes (with typeof arguments), fields, properties, events, method
/// signatures and overrides, local variables, catch types and every IL operand that is a type, method or field
/// reference (its declaring type, signature and generic arguments). Generic instances, arrays, pointers and by-refs
/// are reduced to their element types; nested types to their top-level type. Compiler-emitted top-level types
/// outside a namespace (&lt;Module&gt;, &lt;PrivateImplementationDetails&gt;) are skipped. Not visible in IL, so not
/// seen: a use of another type's const (the compiler copies the value), nameof(...) and doc-comment crefs.
/// </summary>
internal sealed class AssemblyGraph
{
    private readonly HashSet<TypeEdge> _edges = [];
    private readonly List<DeclaredType> _types = [];

    /// <summary>Simple name of the read assembly (e.g. TemAreaTracker, temtrack).</summary>
    public string AssemblyName { get; }

    /// <summary>All distinct references, including those to framework and package types and within one type.</summary>
    public IReadOnlyCollection<TypeEdge> Edges => _edges;

    /// <summary>Top-level types declared in the assembly (compiler-emitted ones without namespace left out).</summary>
    public IReadOnlyList<DeclaredType> Types => _types;

    private AssemblyGraph(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>Reads the assembly at <paramref name="path"/>. Other assemblies are only opened (from its own folder or
    /// the runtime's) where Cecil must look inside one to decode an attribute argument, e.g. an enum's size.</summary>
    public static AssemblyGraph Read(string path)
    {
        using var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        using var assembly = AssemblyDefinition.ReadAssembly(path, new ReaderParameters { ReadSymbols = false, InMemory = true, AssemblyResolver = resolver });
        var graph = new AssemblyGraph(assembly.Name.Name);
        foreach (var module in assembly.Modules)
            foreach (var type in module.GetTypes()) // GetTypes includes nested (and compiler-generated) types
                graph.Visit(type);
        return graph;
    }

    /// <summary>Namespace -> folder of the project rooted at <paramref name="rootNamespace"/>: the root namespace is
    /// "root", <c>Root.X</c> and <c>Root.X.Y</c> are "X"; null for a namespace outside the root.</summary>
    public static string? FolderOf(string ns, string rootNamespace)
    {
        if (ns == rootNamespace) return "root";
        if (!ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal)) return null;
        string rest = ns[(rootNamespace.Length + 1)..];
        int dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>Edges between folders of <paramref name="rootNamespace"/> where the referenced type lives in
    /// <paramref name="targetAssembly"/>, each with its first example in a stable (ordinal) order; self-edges left out.</summary>
    public SortedDictionary<(string From, string To), TypeEdge> FolderEdges(string rootNamespace, string targetAssembly)
    {
        var result = new SortedDictionary<(string, string), TypeEdge>(OrdinalPairComparer.Instance);
        foreach (var e in _edges.Where(e => e.ToAssembly == targetAssembly)
                     .OrderBy(e => e.FromType, StringComparer.Ordinal).ThenBy(e => e.ToType, StringComparer.Ordinal).ThenBy(e => e.Where, StringComparer.Ordinal))
        {
            string? from = FolderOf(e.FromNamespace, rootNamespace);
            string? to = FolderOf(e.ToNamespace, rootNamespace);
            if (from is null || to is null || from == to) continue;
            result.TryAdd((from, to), e);
        }
        return result;
    }

    private void Visit(TypeDefinition type)
    {
        var top = type;
        while (top.DeclaringType is not null) top = top.DeclaringType;
        if (top.Namespace.Length == 0) return; // <Module>, <PrivateImplementationDetails>: emitted by the compiler
        if (type == top) _types.Add(new DeclaredType(top.Namespace, top.FullName, top.IsPublic));

        void Add(TypeReference? t, string where) => AddType(top, t, where);
        string typeWhere = type.FullName;

        Add(type.BaseType, typeWhere);
        foreach (var i in type.Interfaces) { Add(i.InterfaceType, typeWhere); Attributes(i.CustomAttributes, typeWhere); }
        GenericParameters(type.GenericParameters, typeWhere);
        Attributes(type.CustomAttributes, typeWhere);

        foreach (var f in type.Fields) { Add(f.FieldType, f.FullName); Attributes(f.CustomAttributes, f.FullName); }
        foreach (var p in type.Properties)
        {
            Add(p.PropertyType, p.FullName);
            foreach (var pp in p.Parameters) Add(pp.ParameterType, p.FullName);
            Attributes(p.CustomAttributes, p.FullName);
        }
        foreach (var ev in type.Events) { Add(ev.EventType, ev.FullName); Attributes(ev.CustomAttributes, ev.FullName); }
        foreach (var m in type.Methods) Method(m);

        void Method(MethodDefinition m)
        {
            string where = m.FullName;
            Add(m.ReturnType, where);
            Attributes(m.MethodReturnType.CustomAttributes, where);
            foreach (var p in m.Parameters) { Add(p.ParameterType, where); Attributes(p.CustomAttributes, where); }
            GenericParameters(m.GenericParameters, where);
            Attributes(m.CustomAttributes, where);
            foreach (var o in m.Overrides) Member(o, where);
            if (!m.HasBody) return;
            foreach (var v in m.Body.Variables) Add(v.VariableType, where);
            foreach (var h in m.Body.ExceptionHandlers) Add(h.CatchType, where);
            foreach (var ins in m.Body.Instructions)
            {
                switch (ins.Operand)
                {
                    case TypeReference t: Add(t, where); break;
                    case MemberReference mr: Member(mr, where); break;
                    case CallSite cs:
                        Add(cs.ReturnType, where);
                        foreach (var p in cs.Parameters) Add(p.ParameterType, where);
                        break;
                }
            }
        }

        void Member(MemberReference mr, string where)
        {
            switch (mr)
            {
                case MethodReference method:
                    Add(method.DeclaringType, where);
                    Add(method.ReturnType, where);
                    foreach (var p in method.Parameters) Add(p.ParameterType, where);
                    if (method is GenericInstanceMethod gim)
                        foreach (var a in gim.GenericArguments) Add(a, where);
                    break;
                case FieldReference field:
                    Add(field.DeclaringType, where);
                    Add(field.FieldType, where);
                    break;
            }
        }

        void GenericParameters(IEnumerable<GenericParameter> parameters, string where)
        {
            foreach (var gp in parameters)
            {
                foreach (var c in gp.Constraints) Add(c.ConstraintType, where);
                Attributes(gp.CustomAttributes, where);
            }
        }

        void Attributes(IEnumerable<CustomAttribute> attributes, string where)
        {
            foreach (var a in attributes)
            {
                Add(a.AttributeType, where);
                foreach (var arg in a.ConstructorArguments) Argument(arg, where);
                foreach (var named in a.Properties.Concat(a.Fields)) Argument(named.Argument, where);
            }
        }

        void Argument(CustomAttributeArgument arg, string where)
        {
            if (arg.Value is TypeReference t) Add(t, where); // typeof(X) in an attribute
            else if (arg.Value is CustomAttributeArgument inner) Argument(inner, where);
            else if (arg.Value is CustomAttributeArgument[] items)
                foreach (var item in items) Argument(item, where);
        }
    }

    private void AddType(TypeDefinition from, TypeReference? t, string where)
    {
        switch (t)
        {
            case null:
            case GenericParameter:
                return;
            case GenericInstanceType git:
                AddType(from, git.ElementType, where);
                foreach (var a in git.GenericArguments) AddType(from, a, where);
                return;
            case IModifierType mod: // modreq/modopt (e.g. init accessors, in parameters)
                AddType(from, mod.ModifierType, where);
                AddType(from, ((TypeSpecification)t).ElementType, where);
                return;
            case FunctionPointerType fp:
                AddType(from, fp.ReturnType, where);
                foreach (var p in fp.Parameters) AddType(from, p.ParameterType, where);
                return;
            case TypeSpecification spec: // array, by-ref, pointer, pinned, sentinel
                AddType(from, spec.ElementType, where);
                return;
        }
        var top = t;
        while (top.DeclaringType is not null) top = top.DeclaringType;
        string? assembly = top.Scope switch
        {
            ModuleDefinition md => md.Assembly.Name.Name,
            AssemblyNameReference anr => anr.Name,
            _ => null,
        };
        if (assembly is null) return;
        _edges.Add(new TypeEdge(from.Namespace, from.FullName, assembly, top.Namespace, top.FullName, where));
    }
}

/// <summary>Orders folder pairs ordinally (culture-independent, so the order is the same on every machine).</summary>
internal sealed class OrdinalPairComparer : IComparer<(string, string)>
{
    public static readonly OrdinalPairComparer Instance = new();

    public int Compare((string, string) x, (string, string) y)
    {
        int c = string.CompareOrdinal(x.Item1, y.Item1);
        return c != 0 ? c : string.CompareOrdinal(x.Item2, y.Item2);
    }
}
