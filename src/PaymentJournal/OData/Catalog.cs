using System.Text;
using System.Xml;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Validation;
using Microsoft.OData.Edm.Vocabularies;
using Microsoft.OData.Edm.Vocabularies.V1;

namespace PaymentJournal.OData;

/// <summary>
/// All entity sets, the surfaces that serve them (the two standard roots and our own API groups), and the EDM model
/// of each surface generated from the field definitions (one source of truth for $metadata, the query parser and the
/// JSON shapes).
/// </summary>
public sealed class Catalog
{
    public const string ActionNamespace = "Microsoft.NAV";
    /// <summary>Graph's entity that holds the companies, as a singleton (financials/companies).</summary>
    public const string GraphRoot = "financials";
    private readonly Dictionary<string, EntitySetDef> _sets;

    private readonly IModelAddition[] _additions;

    /// <param name="additions">What features add to every surface's model beside the entity sets (webhook subscriptions).</param>
    public Catalog(EntitySetDef companies, IEnumerable<EntitySetDef> sets, IEnumerable<ApiGroup>? groups = null, IEnumerable<IModelAddition>? additions = null)
    {
        _additions = (additions ?? []).ToArray();
        Companies = companies;
        _sets = sets.Append(companies).ToDictionary(s => s.Name, StringComparer.Ordinal);
        Groups = (groups ?? []).ToList();
        var notStandard = Groups.SelectMany(g => g.NotStandard).ToHashSet(StringComparer.Ordinal);
        var aliases = Groups.SelectMany(g => g.StandardAliases).ToHashSet(StringComparer.Ordinal);

        V2 = new Surface { Kind = Surfaces.V2, Namespace = "Microsoft.NAV", KeyAsSegment = false };
        Graph = new Surface { Kind = Surfaces.Graph, Namespace = "microsoft.graph", KeyAsSegment = true, ContextPrefix = GraphRoot + "/" };
        foreach (var standard in new[] { V2, Graph })
        {
            var top = _sets.Values.Where(s => s != Companies && s.CompanyLevelOn(standard.Kind) && s.On(standard.Kind) && !notStandard.Contains(s.Name)).Select(s => s.Name);
            Serve(standard, top, name => !notStandard.Contains(name));
            foreach (var set in standard.AllSets.Select(Set))
            foreach (var action in set.Actions)
            {
                var key = set.Name + "/" + action;
                if (!notStandard.Contains(key)) standard.AdvertisedActions.Add(key);
                else if (aliases.Contains(key)) standard.AliasActions.Add(key);
            }
        }
        foreach (var group in Groups)
        {
            var surface = new Surface { Kind = Surfaces.V2, Namespace = "Microsoft.NAV", KeyAsSegment = false, Group = group };
            foreach (var name in group.Sets)
                if (!_sets.TryGetValue(name, out var s) || !s.CompanyLevel || !s.On(Surfaces.V2))
                    throw new InvalidOperationException($"API group {group.Name}: {name} is not a company-level v2.0 entity set");
            Serve(surface, group.Sets, _ => true);
            foreach (var action in group.Actions)
            {
                var parts = action.Split('/');
                if (parts.Length != 2 || !surface.AllSets.Contains(parts[0]) || !Set(parts[0]).Actions.Contains(parts[1]))
                    throw new InvalidOperationException($"API group {group.Name}: no action {action}");
                surface.AdvertisedActions.Add(action);
            }
            GroupSurfaces.Add(surface);
        }
        foreach (var surface in GroupSurfaces.Prepend(Graph).Prepend(V2))
        {
            surface.Model = surface.IsGraph ? BuildGraphModel(surface) : BuildNavModel(surface);
            surface.MetadataXml = WriteCsdl(surface.Model);
        }
    }

    public EntitySetDef Companies { get; }
    public Surface V2 { get; }
    public Surface Graph { get; }
    public IReadOnlyList<ApiGroup> Groups { get; }
    /// <summary>One surface per API group, in the order of <see cref="Groups"/>.</summary>
    public List<Surface> GroupSurfaces { get; } = [];
    public IEnumerable<EntitySetDef> Sets => _sets.Values;

    public EntitySetDef Set(string name) => _sets[name];

    /// <summary>A set addressable directly under a company on this surface.</summary>
    public EntitySetDef? CompanySet(string name, Surface surface) =>
        surface.CompanySets.Contains(name) && _sets.TryGetValue(name, out var s) ? s : null;

    /// <summary>
    /// The 404 for a set name under a company that this surface does not serve there; when the set is reached through a
    /// parent on this surface, the message names that path.
    /// </summary>
    public Errors.ApiException NotUnderCompany(string name, Surface surface)
    {
        var message = $"No HTTP resource was found that matches the request URI segment '{Errors.ApiErrors.Echo(name)}'.";
        if (surface.AllSets.Contains(name))
        {
            foreach (var parent in surface.CompanySets.Select(Set))
            {
                var nav = parent.Navigations.FirstOrDefault(n => n.TargetSet == name && n.IsCollection && n.Contained && surface.Serves(n));
                if (nav is null) continue;
                var path = surface.KeyAsSegment
                    ? $"{Companies.Name}/{{id}}/{parent.Name}/{{id}}/{nav.Name}"
                    : $"{Companies.Name}({{id}})/{parent.Name}({{id}})/{nav.Name}";
                message += $" On this API {name} are not served under the company: each is reached through its parent, {path}.";
                break;
            }
        }
        return new Errors.ApiException(404, "BadRequest_ResourceNotFound", message);
    }

    /// <summary>Fills a surface's sets: the company-level ones given, and the sub-pages (sets not under a company) reached from them.</summary>
    private void Serve(Surface surface, IEnumerable<string> companySets, Func<string, bool> allowed)
    {
        surface.AllSets.Add(Companies.Name);
        var pending = new Queue<string>();
        foreach (var name in companySets)
        {
            surface.CompanySets.Add(name);
            if (surface.AllSets.Add(name)) pending.Enqueue(name);
        }
        while (pending.TryDequeue(out var name))
        {
            foreach (var nav in Set(name).Navigations.Where(n => n.On(surface.Kind)))
            {
                var target = Set(nav.TargetSet);
                if (!target.CompanyLevelOn(surface.Kind) && target.On(surface.Kind) && allowed(target.Name) && surface.AllSets.Add(target.Name))
                    pending.Enqueue(target.Name);
            }
        }
    }

    private Dictionary<string, EdmEntityType> AddTypes(EdmModel model, Surface surface)
    {
        var types = new Dictionary<string, EdmEntityType>(StringComparer.Ordinal);
        foreach (var set in surface.AllSets.Select(Set))
        {
            var type = new EdmEntityType(surface.Namespace, set.TypeName);
            var readOnly = new List<IEdmStructuralProperty>();
            var immutable = new List<IEdmStructuralProperty>();
            foreach (var f in set.FieldsOn(surface.Kind))
            {
                IEdmTypeReference typeRef = f.Kind switch
                {
                    FieldKind.Guid => EdmCoreModel.Instance.GetGuid(false),
                    FieldKind.String => EdmCoreModel.Instance.GetString(false, f.MaxLength, true, false),
                    FieldKind.Date => EdmCoreModel.Instance.GetDate(false),
                    FieldKind.DateTimeOffset => EdmCoreModel.Instance.GetDateTimeOffset(false),
                    FieldKind.Decimal => EdmCoreModel.Instance.GetDecimal(null, null, false),
                    FieldKind.Int32 => EdmCoreModel.Instance.GetInt32(false),
                    FieldKind.Int64 => EdmCoreModel.Instance.GetInt64(false),
                    FieldKind.Boolean => EdmCoreModel.Instance.GetBoolean(false),
                    // Option fields are strings in $metadata: Business Central's option captions (" ", "In Review")
                    // are not valid EDM member names, and a string compares in $filter exactly as clients write it.
                    FieldKind.Enum => EdmCoreModel.Instance.GetString(false, f.MaxLength, true, false),
                    _ => throw new InvalidOperationException(f.Kind.ToString()),
                };
                var p = type.AddStructuralProperty(f.Name, typeRef);
                if (f.IsKey) type.AddKeys(p);
                if (f.AdvertisedAccess == Access.ReadOnly) readOnly.Add(p);
                else if (f.AdvertisedAccess == Access.CreateOnly) immutable.Add(p);
            }
            model.AddElement(type);
            types[set.Name] = type;
            // What the service refuses in a body, said in the OData Core vocabulary: never written (Computed), or
            // written only on create (Immutable). Body.FromElement refuses by the same Access, or the set's rules refuse
            // any change (FieldDef.HeldAs).
            foreach (var p in readOnly) Annotate(model, p, CoreVocabularyModel.ComputedTerm);
            foreach (var p in immutable) Annotate(model, p, CoreVocabularyModel.ImmutableTerm);
        }
        return types;
    }

    private static void Annotate(EdmModel model, IEdmVocabularyAnnotatable target, IEdmTerm term)
    {
        var annotation = new EdmVocabularyAnnotation(target, term, new EdmBooleanConstant(true));
        annotation.SetSerializationLocation(model, EdmVocabularyAnnotationSerializationLocation.Inline);
        model.AddVocabularyAnnotation(annotation);
    }

    private void AddActions(EdmModel model, Surface surface, Dictionary<string, EdmEntityType> types)
    {
        foreach (var key in surface.AdvertisedActions.Order(StringComparer.Ordinal))
        {
            var (setName, action) = (key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..]);
            var a = new EdmAction(ActionNamespace, action, null, true, null);
            a.AddParameter("bindingParameter", new EdmEntityTypeReference(types[setName], false));
            foreach (var p in Set(setName).ParametersOf(action))
                a.AddParameter(p.Name, p.Kind switch
                {
                    FieldKind.Guid => EdmCoreModel.Instance.GetGuid(true),
                    FieldKind.Decimal => EdmCoreModel.Instance.GetDecimal(null, null, true),
                    FieldKind.Int32 => EdmCoreModel.Instance.GetInt32(true),
                    _ => EdmCoreModel.Instance.GetString(false, p.MaxLength, true, true),
                });
            model.AddElement(a);
        }
    }

    /// <summary>
    /// Business Central's shape (v2.0 and the API groups): namespace Microsoft.NAV, a container named NAV with an
    /// entity set per API page, each company-level page reached from companies and from its parent page through
    /// navigation property bindings, sub-pages contained in their parent.
    /// </summary>
    private IEdmModel BuildNavModel(Surface surface)
    {
        var model = new EdmModel();
        var types = AddTypes(model, surface);
        var container = new EdmEntityContainer(surface.Namespace, "NAV");
        model.AddElement(container);
        var entitySets = new Dictionary<string, EdmEntitySet>(StringComparer.Ordinal)
        {
            [Companies.Name] = container.AddEntitySet(Companies.Name, types[Companies.Name]),
        };
        foreach (var name in surface.CompanySets) entitySets[name] = container.AddEntitySet(name, types[name]);
        foreach (var addition in _additions) addition.AddTo(model, container, surface);

        foreach (var name in surface.CompanySets)
        {
            var nav = types[Companies.Name].AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
            {
                Name = name, Target = types[name], TargetMultiplicity = EdmMultiplicity.Many, ContainsTarget = false,
            });
            entitySets[Companies.Name].AddNavigationTarget(nav, entitySets[name]);
        }
        foreach (var set in surface.AllSets.Select(Set))
        {
            foreach (var nav in set.Navigations.Where(surface.Serves))
            {
                var toCompanySet = surface.CompanySets.Contains(nav.TargetSet);
                var p = types[set.Name].AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
                {
                    Name = nav.Name, Target = types[nav.TargetSet],
                    TargetMultiplicity = nav.IsCollection ? EdmMultiplicity.Many : EdmMultiplicity.ZeroOrOne,
                    ContainsTarget = !toCompanySet,
                });
                if (toCompanySet && entitySets.TryGetValue(set.Name, out var source)) source.AddNavigationTarget(p, entitySets[nav.TargetSet]);
            }
        }
        AddActions(model, surface, types);
        return model;
    }

    /// <summary>
    /// Microsoft Graph's shape: namespace microsoft.graph, container GraphService, the financials singleton that
    /// contains the companies, and every set contained in its company.
    /// </summary>
    private IEdmModel BuildGraphModel(Surface surface)
    {
        var model = new EdmModel();
        var types = AddTypes(model, surface);
        var root = new EdmEntityType(surface.Namespace, GraphRoot);
        root.AddKeys(root.AddStructuralProperty("id", EdmCoreModel.Instance.GetGuid(false)));
        root.AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
        {
            Name = Companies.Name, Target = types[Companies.Name], TargetMultiplicity = EdmMultiplicity.Many, ContainsTarget = true,
        });
        model.AddElement(root);
        foreach (var name in surface.CompanySets)
        {
            types[Companies.Name].AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
            {
                Name = name, Target = types[name], TargetMultiplicity = EdmMultiplicity.Many, ContainsTarget = true,
            });
        }
        foreach (var set in surface.AllSets.Select(Set))
        {
            foreach (var nav in set.Navigations.Where(surface.Serves))
            {
                types[set.Name].AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
                {
                    Name = nav.Name, Target = types[nav.TargetSet],
                    TargetMultiplicity = nav.IsCollection ? EdmMultiplicity.Many : EdmMultiplicity.ZeroOrOne,
                    ContainsTarget = nav.IsCollection, // Graph contains every collection in its parent
                });
            }
        }
        AddActions(model, surface, types);
        var container = new EdmEntityContainer(surface.Namespace, "GraphService");
        container.AddSingleton(GraphRoot, root);
        model.AddElement(container);
        foreach (var addition in _additions) addition.AddTo(model, container, surface);
        return model;
    }

    private static string WriteCsdl(IEdmModel model)
    {
        var sb = new StringBuilder();
        using (var xml = XmlWriter.Create(sb, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
        {
            if (!CsdlWriter.TryWriteCsdl(model, xml, CsdlTarget.OData, out var errors))
                throw new InvalidOperationException("CSDL: " + string.Join("; ", errors.Select(e => e.ErrorMessage)));
        }
        if (!model.Validate(out IEnumerable<EdmError> validation))
            throw new InvalidOperationException("EDM: " + string.Join("; ", validation.Select(e => e.ErrorMessage)));
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    /// <summary>The navigation source of companies on a surface: the entity set, or the set Graph's financials singleton contains.</summary>
    private IEdmNavigationSource CompaniesSource(Surface surface)
    {
        var container = surface.Model.EntityContainer;
        if (container.FindEntitySet(Companies.Name) is { } set) return set;
        var root = container.FindSingleton(GraphRoot) ?? throw new InvalidOperationException("No companies in the model");
        return root.FindNavigationTarget((IEdmNavigationProperty)root.EntityType.FindProperty(Companies.Name));
    }

    /// <summary>The EDM navigation source for a path of set and navigation names (companies, set, nav...).</summary>
    public IEdmNavigationSource Source(Surface surface, IReadOnlyList<string> path)
    {
        var companies = CompaniesSource(surface);
        IEdmNavigationSource source = companies;
        foreach (var name in path.Skip(1))
        {
            var type = source.EntityType;
            var nav = type.FindProperty(name) as IEdmNavigationProperty
                      ?? throw new InvalidOperationException($"No navigation {name} on {type.Name}");
            var target = source.FindNavigationTarget(nav);
            if (target is null or IEdmUnknownEntitySet)
            {
                // A navigation without a binding (Graph's payment -> customer): its target is the entity's own set
                // under the company, from which the path goes on.
                var viaCompany = companies.EntityType.NavigationProperties().FirstOrDefault(p => p.ToEntityType() == nav.ToEntityType());
                if (viaCompany is not null) target = companies.FindNavigationTarget(viaCompany);
            }
            source = target ?? throw new InvalidOperationException($"No target for {name}");
        }
        return source;
    }
}
