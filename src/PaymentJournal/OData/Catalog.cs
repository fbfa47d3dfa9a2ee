using System.Text;
using System.Xml;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Validation;

namespace PaymentJournal.OData;

/// <summary>
/// All entity sets, and the EDM model of each surface generated from their field definitions
/// (one source of truth for $metadata, the query parser and the JSON shapes).
/// </summary>
public sealed class Catalog
{
    public const string ActionNamespace = "Microsoft.NAV";
    private readonly Dictionary<string, EntitySetDef> _sets;

    public Catalog(EntitySetDef companies, IEnumerable<EntitySetDef> sets)
    {
        Companies = companies;
        _sets = sets.Append(companies).ToDictionary(s => s.Name, StringComparer.Ordinal);
        V2 = new Surface { Kind = Surfaces.V2, Namespace = "Microsoft.NAV", KeyAsSegment = false };
        Graph = new Surface { Kind = Surfaces.Graph, Namespace = "microsoft.graph", KeyAsSegment = true };
        foreach (var surface in new[] { V2, Graph })
        {
            surface.Model = BuildModel(surface);
            surface.MetadataXml = WriteCsdl(surface.Model);
        }
    }

    public EntitySetDef Companies { get; }
    public Surface V2 { get; }
    public Surface Graph { get; }
    public IEnumerable<EntitySetDef> Sets => _sets.Values;

    public EntitySetDef Set(string name) => _sets[name];

    /// <summary>A set addressable directly under a company on this surface.</summary>
    public EntitySetDef? CompanySet(string name, Surfaces surface) =>
        _sets.TryGetValue(name, out var s) && s != Companies && s.CompanyLevelOn(surface) && s.On(surface) ? s : null;

    /// <summary>
    /// The 404 for a set name under a company that this surface does not serve there; when the set is reached through a
    /// parent on this surface, the message names that path.
    /// </summary>
    public Errors.ApiException NotUnderCompany(string name, Surface surface)
    {
        var message = $"No HTTP resource was found that matches the request URI segment '{Errors.ApiErrors.Echo(name)}'.";
        if (_sets.TryGetValue(name, out var target) && target.On(surface.Kind))
        {
            foreach (var parent in _sets.Values.Where(s => s != Companies && s.On(surface.Kind) && s.CompanyLevelOn(surface.Kind)))
            {
                var nav = parent.Navigations.FirstOrDefault(n => n.TargetSet == name && n.IsCollection && n.Contained && n.On(surface.Kind));
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

    private IEdmModel BuildModel(Surface surface)
    {
        var model = new EdmModel();
        var ns = surface.Namespace;
        var types = new Dictionary<string, EdmEntityType>(StringComparer.Ordinal);
        var onSurface = _sets.Values.Where(s => s.On(surface.Kind)).ToList();

        foreach (var set in onSurface)
        {
            var type = new EdmEntityType(ns, set.TypeName);
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
            }
            model.AddElement(type);
            types[set.Name] = type;
        }

        var companyType = types[Companies.Name];
        foreach (var set in onSurface.Where(s => s != Companies && s.CompanyLevelOn(surface.Kind)))
        {
            companyType.AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
            {
                Name = set.Name, Target = types[set.Name], TargetMultiplicity = EdmMultiplicity.Many, ContainsTarget = true,
            });
        }
        foreach (var set in onSurface)
        {
            foreach (var nav in set.Navigations.Where(n => n.On(surface.Kind)))
            {
                if (!types.TryGetValue(nav.TargetSet, out var target)) continue;
                types[set.Name].AddUnidirectionalNavigation(new EdmNavigationPropertyInfo
                {
                    Name = nav.Name, Target = target,
                    TargetMultiplicity = nav.IsCollection ? EdmMultiplicity.Many : EdmMultiplicity.ZeroOrOne,
                    ContainsTarget = nav.Contained,
                });
            }
            foreach (var action in set.Actions)
            {
                var a = new EdmAction(ActionNamespace, action, null, true, null);
                a.AddParameter("bindingParameter", new EdmEntityTypeReference(types[set.Name], false));
                model.AddElement(a);
            }
        }

        var container = new EdmEntityContainer(ns, surface.IsV2 ? "default" : "GraphService");
        container.AddEntitySet(Companies.Name, companyType);
        model.AddElement(container);
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

    /// <summary>The EDM navigation source for a path of set and navigation names (companies, set, nav...).</summary>
    public IEdmNavigationSource Source(Surface surface, IReadOnlyList<string> path)
    {
        var container = surface.Model.EntityContainer;
        var companies = container.FindEntitySet(Companies.Name);
        IEdmNavigationSource source = companies;
        foreach (var name in path.Skip(1))
        {
            var type = source.EntityType();
            var nav = type.FindProperty(name) as IEdmNavigationProperty
                      ?? throw new InvalidOperationException($"No navigation {name} on {type.Name}");
            var target = nav.ContainsTarget ? source.FindNavigationTarget(nav) : null;
            if (target is null)
            {
                // A navigation that does not contain its target (payment -> customerPaymentJournal) has no binding in
                // the model: its target is the entity's own set under the company, from which the path goes on.
                var viaCompany = companies.EntityType().NavigationProperties().FirstOrDefault(p => p.ToEntityType() == nav.ToEntityType());
                target = viaCompany is not null ? companies.FindNavigationTarget(viaCompany) : source.FindNavigationTarget(nav);
            }
            source = target;
        }
        return source;
    }
}
