using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Vocabularies;
using Microsoft.OData.Edm.Vocabularies.V1;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Webhooks;

/// <summary>The subscription entity type and set in $metadata (v2.0 and the API groups, not Graph), with Business Central's fields.</summary>
public sealed class SubscriptionModel : IModelAddition
{
    public sealed record Property(string Name, EdmPrimitiveTypeKind Kind, int? MaxLength = null, bool Computed = false, bool Key = false);

    public static readonly Property[] Properties =
    [
        new("subscriptionId", EdmPrimitiveTypeKind.String, SubscriptionsEndpoint.MaxIdLength, Key: true),
        new("notificationUrl", EdmPrimitiveTypeKind.String),
        new("resource", EdmPrimitiveTypeKind.String),
        new("timestamp", EdmPrimitiveTypeKind.Int64, Computed: true),
        new("userId", EdmPrimitiveTypeKind.Guid, Computed: true),
        new("lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset, Computed: true),
        new("clientState", EdmPrimitiveTypeKind.String, SubscriptionsEndpoint.MaxClientStateLength),
        new("expirationDateTime", EdmPrimitiveTypeKind.DateTimeOffset, Computed: true),
        new("systemCreatedAt", EdmPrimitiveTypeKind.DateTimeOffset, Computed: true),
        new("systemCreatedBy", EdmPrimitiveTypeKind.Guid, Computed: true),
        new("systemModifiedAt", EdmPrimitiveTypeKind.DateTimeOffset, Computed: true),
        new("systemModifiedBy", EdmPrimitiveTypeKind.Guid, Computed: true),
    ];

    public void AddTo(EdmModel model, EdmEntityContainer container, Surface surface)
    {
        // Subscriptions sit at the root of the API, beside companies; Graph has none.
        if (surface.IsGraph) return;
        var type = new EdmEntityType(surface.Namespace, "subscription");
        foreach (var p in Properties)
        {
            var typeRef = p.Kind == EdmPrimitiveTypeKind.String
                ? EdmCoreModel.Instance.GetString(false, p.MaxLength, true, false)
                : (IEdmTypeReference)EdmCoreModel.Instance.GetPrimitive(p.Kind, false);
            var property = type.AddStructuralProperty(p.Name, typeRef);
            if (p.Key) type.AddKeys(property);
            if (p.Computed)
            {
                var annotation = new EdmVocabularyAnnotation(property, CoreVocabularyModel.ComputedTerm, new EdmBooleanConstant(true));
                annotation.SetSerializationLocation(model, EdmVocabularyAnnotationSerializationLocation.Inline);
                model.AddVocabularyAnnotation(annotation);
            }
        }
        model.AddElement(type);
        container.AddEntitySet(SubscriptionsEndpoint.Name, type);
    }
}
